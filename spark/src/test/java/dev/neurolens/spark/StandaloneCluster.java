package dev.neurolens.spark;

import org.apache.spark.SparkConf;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Spark standalone cluster on loopback, for tests and the benchmark: a master and workers, each its own JVM
 * started from the jars this JVM runs with (a SPARK_HOME whose {@code jars/} links to them). Workers start their
 * executors the usual way, as further JVMs; the Neurolens classes reach them through
 * {@code spark.executor.extraClassPath}.
 */
final class StandaloneCluster implements AutoCloseable {
    final Path home;
    final int port;
    final List<Process> workers = new ArrayList<>();
    private final Process master;
    private final List<String> dirs = new ArrayList<>();

    StandaloneCluster(int workerCount, int coresPerWorker) throws IOException, InterruptedException {
        home = Files.createTempDirectory("spark-home");
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.endsWith(".jar") && Files.isRegularFile(p)) {
                Path link = jars.resolve(p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p.toAbsolutePath());
                }
            } else if (Files.isDirectory(p)) {
                dirs.add(p.toAbsolutePath().toString());
            }
        }
        port = freePort();
        master = start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--webui-port", String.valueOf(freePort()));
        waitFor(master, home.resolve("master.log"), "I have been elected leader", 60);
        for (int w = 0; w < workerCount; w++) {
            Path work = Files.createDirectories(home.resolve("work" + w));
            Process p = start("worker" + w, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--cores", String.valueOf(coresPerWorker), "--memory", "2g", "--webui-port",
                    String.valueOf(freePort()), "--work-dir", work.toString(), masterUrl());
            waitFor(p, home.resolve("worker" + w + ".log"), "Successfully registered with master", 60);
            workers.add(p);
        }
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + port;
    }

    /** What a driver needs to run Neurolens tasks here: the class folders and JVM options for executors. */
    SparkConf conf() {
        return new SparkConf().set("spark.executor.extraClassPath", String.join(File.pathSeparator, dirs))
                .set("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Djava.awt.headless=true")
                .set("spark.executor.memory", "1g")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
    }

    private Process start(String name, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.addAll(Arrays.asList(SparkModules.jvmOptions().split(" ")));
        cmd.add("-cp");
        cmd.add(home.resolve("jars") + File.separator + "*");
        cmd.add(main);
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.13"); // else the launcher looks for a source build
        return pb.start();
    }

    private static void waitFor(Process p, Path log, String line, int seconds) throws IOException,
            InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains(line)) {
                return;
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(200);
        }
        String text = Files.exists(log) ? Files.readString(log) : "(no log)";
        throw new IllegalStateException("Spark " + log.getFileName() + " did not say '" + line + "':\n"
                + text.substring(Math.max(0, text.length() - 3000)));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Peak resident memory (VmHWM) of each live executor JVM the workers started, e.g. "[812 MB, 798 MB]". */
    List<String> executorPeaks() throws IOException {
        List<String> out = new ArrayList<>();
        for (Process w : workers) {
            for (ProcessHandle h : w.toHandle().descendants().toList()) {
                if (!h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")) {
                    continue;
                }
                Path status = Path.of("/proc", String.valueOf(h.pid()), "status");
                if (Files.exists(status)) {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("VmHWM:")) {
                            long kb = Long.parseLong(line.replaceAll("\\D", ""));
                            out.add(kb / 1024 + " MB");
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Kills a worker process at once (its executors notice and exit). */
    void kill(int worker) {
        workers.get(worker).destroyForcibly();
    }

    String logs() throws IOException {
        StringBuilder s = new StringBuilder();
        try (var files = Files.walk(home)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".log") || f.getFileName().toString()
                    .equals("stderr")).toList()) {
                String t = Files.readString(f);
                s.append("== ").append(f).append('\n').append(t, Math.max(0, t.length() - 2000), t.length());
            }
        }
        return s.toString();
    }

    @Override
    public void close() throws IOException {
        for (Process w : workers) {
            w.destroy();
        }
        master.destroy();
        for (Process w : workers) {
            w.destroyForcibly();
        }
        master.destroyForcibly();
    }
}
