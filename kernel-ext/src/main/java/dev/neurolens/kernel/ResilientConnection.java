package dev.neurolens.kernel;

import java.lang.reflect.Field;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.Loop;
import io.github.spencerpark.jupyter.channels.ShellChannel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;

/**
 * The base library ends a channel's thread on the first exception in its loop, so one message with a bad
 * signature (or a bug in any handler) would leave the kernel deaf. Here such a message is logged and dropped,
 * and the channel keeps serving.
 */
final class ResilientConnection extends JupyterConnection {
    private static final Logger LOG = Logger.getLogger(ResilientConnection.class.getName());

    ResilientConnection(KernelConnectionProperties props) throws NoSuchAlgorithmException, InvalidKeyException {
        super(props);
    }

    @Override
    public void connect() {
        super.connect();
        keepAlive(shell, "shell");
        keepAlive(control, "control");
    }

    private static void keepAlive(ShellChannel channel, String name) {
        try {
            Field f = ShellChannel.class.getDeclaredField("ioloop");
            f.setAccessible(true);
            Loop loop = (Loop) f.get(channel);
            if (loop != null) {
                loop.onError(t -> {
                    LOG.log(Level.WARNING, name + " channel: dropped a message: " + t);
                    return 0L; // keep looping
                });
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not harden the " + name + " channel: " + e);
        }
    }
}
