package dev.neurolens.kernel;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the {@code neurolens} kernelspec and hands it to {@code jupyter kernelspec install}, which knows where
 * --user, --sys-prefix and --prefix put kernels. The spec starts this same JVM with this same classpath.
 */
final class KernelSpecInstaller {
    static final String DEFAULT_JAVA_OPTS = "-Dai.djl.offline=true -Djava.awt.headless=true "
            + "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn "
            // On CPU-only machines DJL warns about the missing CUDA driver at every start; that is expected.
            + "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error -XX:+UseParallelGC "
            // JNA (DJL, the convolution check) loads native code; JDK 22+ warns at every start without this
            + "--enable-native-access=ALL-UNNAMED";

    private KernelSpecInstaller() {
    }

    static int run(String[] args) throws IOException, InterruptedException {
        String scope = "--user";
        String prefix = null;
        String name = "neurolens";
        String displayName = "Java (Neurolens)";
        String javaOpts = DEFAULT_JAVA_OPTS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--user", "--sys-prefix" -> scope = args[i];
                case "--prefix" -> {
                    scope = "--prefix";
                    prefix = value(args, ++i, "--prefix");
                }
                case "--name" -> name = value(args, ++i, "--name");
                case "--display-name" -> displayName = value(args, ++i, "--display-name");
                case "--java-opts" -> javaOpts = DEFAULT_JAVA_OPTS + " " + value(args, ++i, "--java-opts");
                default -> {
                    System.err.println("install: unknown option " + args[i]
                            + "; use --user (default), --sys-prefix or --prefix DIR, and optionally --name, --display-name, --java-opts");
                    return 2;
                }
            }
        }
        Path dir = Files.createTempDirectory("neurolens-kernelspec").resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kernel.json"), kernelJson(displayName, javaOpts));
        List<String> cmd = new ArrayList<>(List.of("jupyter", "kernelspec", "install", "--replace", "--name", name));
        cmd.add(scope);
        if (prefix != null) {
            cmd.add(prefix);
        }
        cmd.add(dir.toString());
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            return p.waitFor();
        } catch (IOException noJupyter) {
            if (!scope.equals("--user")) {
                System.err.println("install: 'jupyter' was not found on PATH; install Jupyter (e.g. the Debian package "
                        + "jupyter-client, or conda's jupyterlab) and run again");
                return 1;
            }
            // Without Jupyter on PATH, --user still works: that location is fixed by the Jupyter docs.
            Path target = Path.of(System.getProperty("user.home"), ".local", "share", "jupyter", "kernels", name);
            Files.createDirectories(target);
            Files.copy(dir.resolve("kernel.json"), target.resolve("kernel.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.out.println("Installed kernelspec " + name + " in " + target);
            return 0;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static String kernelJson(String displayName, String javaOpts) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String opt : javaOpts.trim().split("\\s+")) {
            if (!opt.isEmpty()) {
                argv.add(opt);
            }
        }
        argv.add("-cp");
        argv.add(classpath());
        argv.add(Main.class.getName());
        argv.add("{connection_file}");
        StringBuilder json = new StringBuilder("{\n  \"argv\": [");
        for (int i = 0; i < argv.size(); i++) {
            json.append(i == 0 ? "" : ", ").append(MagicTranslator.literal(argv.get(i)));
        }
        json.append("],\n  \"display_name\": ").append(MagicTranslator.literal(displayName))
                .append(",\n  \"language\": \"java\",\n  \"interrupt_mode\": \"message\",\n")
                .append("  \"metadata\": {\"debugger\": false}\n}\n");
        return json.toString();
    }

    /** The jar plus lib/* beside it when installed from the build; otherwise this process's classpath. */
    static String classpath() {
        try {
            Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
            Path lib = self.getParent().resolve("lib");
            if (Files.isRegularFile(self) && Files.isDirectory(lib)) {
                return self + File.pathSeparator + lib + File.separator + "*";
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // fall through to the process classpath
        }
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(new File(e).getAbsolutePath());
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
