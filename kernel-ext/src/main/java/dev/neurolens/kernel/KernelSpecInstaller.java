package dev.neurolens.kernel;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the {@code neurolens} kernelspec and hands it to {@code jupyter kernelspec install}, which knows where
 * --user, --sys-prefix and --prefix put kernels. The spec starts this same JVM with this same classpath.
 */
final class KernelSpecInstaller {
    /**
     * The system properties the kernelspec sets, in order; {@link IJavaBridge#hostDefaults} sets the same in a stock
     * kernel's JVM. On CPU-only machines DJL warns about the missing CUDA driver at every start; that is expected.
     */
    static final Map<String, String> PROPERTIES = properties("ai.djl.offline", "true", "java.awt.headless", "true",
            "org.slf4j.simpleLogger.defaultLogLevel", "warn", "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils",
            "error");
    static final String DEFAULT_JAVA_OPTS = dOptions(PROPERTIES) + " -XX:+UseParallelGC "
            // JNA (DJL, the convolution check) loads native code; JDK 22+ warns at every start without this
            + "--enable-native-access=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true" + sparkOpens();

    private static Map<String, String> properties(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    private static String dOptions(Map<String, String> properties) {
        StringJoiner j = new StringJoiner(" ");
        properties.forEach((k, v) -> j.add("-D" + k + "=" + v));
        return j.toString();
    }

    /**
     * What Spark's launcher opens on Java 17+ (its JavaModuleOptions), so %spark can run Spark in the kernel's JVM;
     * only the packages this JDK has (JDK 25 has no sun.security.action and would warn at every start).
     */
    private static String sparkOpens() {
        java.util.Set<String> here = Object.class.getModule().getPackages();
        StringBuilder s = new StringBuilder();
        for (String p : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net",
                "java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
                "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar")) {
            if (here.contains(p)) {
                s.append(" --add-opens=java.base/").append(p).append("=ALL-UNNAMED");
            }
        }
        return s.toString();
    }

    /** The prebuilt extension's folder name (kernel-ext/src/main/labextension builds it). */
    static final String LAB_EXTENSION = "neurolens-comms";

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
            int rc = p.waitFor();
            if (rc == 0) {
                Path data = prefix != null ? Path.of(prefix, "share", "jupyter") : dataDir(scope, name);
                installLabExtension(data);
            }
            return rc;
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
            installLabExtension(target.getParent().getParent());
            return 0;
        }
    }

    /**
     * The Jupyter data folder the kernelspec went to: {@code jupyter --data-dir} for --user, the kernel's folder two
     * levels up for --sys-prefix; null when Jupyter cannot say.
     */
    private static Path dataDir(String scope, String name) throws InterruptedException {
        try {
            if (scope.equals("--user")) {
                String out = output("jupyter", "--data-dir").trim();
                return out.isEmpty() ? null : Path.of(out);
            }
            Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\\{\\s*\"resource_dir\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(output("jupyter", "kernelspec", "list", "--json"));
            return m.find() ? Path.of(m.group(1)).getParent().getParent() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String output(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /**
     * Copies the prebuilt neurolens-comms extension (JupyterLab 4 and Notebook 7 lend it their kernel, so the painter
     * can talk to it) from the jar to {@code data/labextensions}, where both find it at their next start. Classic
     * Notebook needs nothing. A failure costs only the painter's live mode there, so it is reported, not fatal.
     */
    static void installLabExtension(Path data) {
        String base = "/dev/neurolens/labextension/" + LAB_EXTENSION + "/";
        if (data == null) {
            System.out.println("Neurolens: could not find the Jupyter data folder; the painter stays read-only in "
                    + "JupyterLab and Notebook 7 (classic Notebook is unaffected)");
            return;
        }
        Path target = data.resolve("labextensions").resolve(LAB_EXTENSION);
        try (var list = KernelSpecInstaller.class.getResourceAsStream(base + "files.txt")) {
            if (list == null) {
                throw new IOException("the jar has no " + base + "files.txt");
            }
            if (Files.isDirectory(target)) {
                try (var old = Files.walk(target)) {
                    for (Path f : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
            for (String file : new String(list.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (file.isBlank()) {
                    continue;
                }
                try (var in = KernelSpecInstaller.class.getResourceAsStream(base + file.trim())) {
                    if (in == null) {
                        throw new IOException("the jar has no " + base + file.trim());
                    }
                    Path f = target.resolve(file.trim());
                    Files.createDirectories(f.getParent());
                    Files.copy(in, f);
                }
            }
            System.out.println("Installed the " + LAB_EXTENSION + " extension for JupyterLab 4 and Notebook 7 in " + target);
        } catch (IOException e) {
            System.out.println("Neurolens: could not install the " + LAB_EXTENSION + " extension in " + target + " ("
                    + e.getMessage() + "); the painter stays read-only in JupyterLab and Notebook 7");
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
