package dev.neurolens.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;

/**
 * {@code java -cp ... dev.neurolens.kernel.Main <connection-file>} runs the kernel (Jupyter starts it so from
 * the kernelspec); {@code ... Main install [--user|--sys-prefix|--prefix DIR]} installs the kernelspec.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("install")) {
            System.exit(KernelSpecInstaller.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length != 1 || args[0].startsWith("-")) {
            System.err.println("usage: Main <connection-file>   (run by Jupyter)\n"
                    + "       Main install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--java-opts \"...\"]");
            System.exit(2);
        }
        quietLogging();
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        JupyterConnection connection = new ResilientConnection(props);
        NeurolensKernel kernel = new NeurolensKernel();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        System.exit(0);
    }

    /** The protocol library logs every bind and message at INFO; a kernel's stderr should stay quiet. */
    private static void quietLogging() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        for (var h : root.getHandlers()) {
            h.setLevel(Level.WARNING);
        }
    }
}
