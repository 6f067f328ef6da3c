package dev.neurolens.kernel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.neurolens.display.Painter;
import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.comm.CommCloseCommand;
import io.github.spencerpark.jupyter.messages.comm.CommMsgCommand;
import io.github.spencerpark.jupyter.messages.comm.CommOpenCommand;
import io.github.spencerpark.jupyter.messages.publish.PublishUpdateDisplayData;
import io.github.spencerpark.jupyter.messages.reply.CommInfoReply;
import io.github.spencerpark.jupyter.messages.request.CommInfoRequest;

/**
 * Jupyter comms (comm_open, comm_msg, comm_close, comm_info) on the shell channel, for views in the browser that
 * talk to objects in the kernel (the {@link Painter}). The base library has a comm manager, but its replies go
 * out under the last execute request and display updates made while handling a message are dropped (no cell
 * is attached to the display stream then); here every reply and update goes out under the comm message itself.
 *
 * <p>Threading: the shell channel handles one message at a time, so a comm message that arrives while a cell runs
 * waits until the cell is done (never both at once). The endpoint itself runs on a worker thread with a time
 * limit, so a hung backend cannot take the shell channel with it: past the limit the browser is told, and later
 * messages are answered "busy" until the worker is free again (interrupt cancels it).
 */
final class KernelComms {
    private static final Logger LOG = Logger.getLogger(KernelComms.class.getName());

    /** One open comm's kernel side. */
    interface Endpoint {
        /** Answers one message (JSON text in, JSON object text out, or null for no answer). Runs on the worker. */
        String onMessage(String json) throws Exception;

        /** Runs on the shell thread after the answer went out; display updates made here reach the notebook. */
        default void afterReply() {
        }

        default void onClose() {
        }
    }

    /** Opens endpoints for one target name. */
    interface Target {
        /** The endpoint for a new comm, or throws {@link Refused} with what to tell the browser. */
        Endpoint open(String commId, JsonObject data) throws Refused;
    }

    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private record Open(String target, Endpoint endpoint) {
    }

    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private final Map<String, Open> comms = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "neurolens-comm");
        t.setDaemon(true);
        return t;
    });
    private final long timeoutMillis;
    private volatile Future<String> running;
    private volatile ShellReplyEnvironment current;

    KernelComms(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    void register(String targetName, Target target) {
        targets.put(targetName, target);
    }

    void install(JupyterConnection connection) {
        connection.setHandler(MessageType.COMM_OPEN_COMMAND, this::handleOpen);
        connection.setHandler(MessageType.COMM_MSG_COMMAND, this::handleMessage);
        connection.setHandler(MessageType.COMM_CLOSE_COMMAND, this::handleClose);
        connection.setHandler(MessageType.COMM_INFO_REQUEST, this::handleInfo);
    }

    /** Publishes a display update under the comm message being handled; false when none is. */
    boolean publishUpdate(DisplayData data) {
        ShellReplyEnvironment env = current;
        if (env == null) {
            return false;
        }
        env.publish(new PublishUpdateDisplayData(data));
        return true;
    }

    /** Stops a message still running on the worker (the kernel's interrupt). */
    void interrupt() {
        Future<String> f = running;
        if (f != null) {
            f.cancel(true);
        }
    }

    int openCount() {
        return comms.size();
    }

    private void handleOpen(ShellReplyEnvironment env, Message<CommOpenCommand> msg) {
        env.setBusyDeferIdle();
        CommOpenCommand open = msg.getContent();
        String id = open.getCommID();
        Target target = targets.get(open.getTargetName());
        if (target == null) {
            // As the protocol asks: an unknown target is answered by closing the comm.
            env.publish(new CommCloseCommand(id, new JsonObject()));
            return;
        }
        try {
            Endpoint endpoint = target.open(id, open.getData() == null ? new JsonObject() : open.getData());
            comms.put(id, new Open(open.getTargetName(), endpoint));
        } catch (Refused r) {
            env.publish(new CommMsgCommand(id, error(r.getMessage())));
            env.publish(new CommCloseCommand(id, new JsonObject()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "comm_open for " + open.getTargetName() + " failed", e);
            env.publish(new CommMsgCommand(id, error("the kernel could not open this view: " + e)));
            env.publish(new CommCloseCommand(id, new JsonObject()));
        }
    }

    private void handleMessage(ShellReplyEnvironment env, Message<CommMsgCommand> msg) {
        env.setBusyDeferIdle();
        String id = msg.getContent().getCommID();
        Open open = comms.get(id);
        if (open == null) {
            // e.g. a view still open in the browser after a kernel restart: tell it, and close its end
            env.publish(new CommMsgCommand(id, error("the kernel does not know this view any more (restarted?): "
                    + "run its cell again")));
            env.publish(new CommCloseCommand(id, new JsonObject()));
            return;
        }
        JsonObject data = msg.getContent().getData() == null ? new JsonObject() : msg.getContent().getData();
        JsonObject reply = call(open.endpoint(), data, seqOf(data));
        if (reply != null) {
            env.publish(new CommMsgCommand(id, reply));
        }
        current = env;
        try {
            open.endpoint().afterReply();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "updating the view after a comm message failed", e);
        } finally {
            current = null;
        }
    }

    private JsonObject call(Endpoint endpoint, JsonObject data, JsonElement seq) {
        Future<String> previous = running;
        if (previous != null && !previous.isDone()) {
            return error("busy: the previous request is still running in the kernel; try again when it is done",
                    seq);
        }
        Future<String> f = worker.submit(() -> endpoint.onMessage(data.toString()));
        running = f;
        try {
            String text = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            if (text == null) {
                return null;
            }
            JsonElement parsed = new JsonParser().parse(text);
            return parsed.isJsonObject() ? parsed.getAsJsonObject() : error("the kernel answered with no object", seq);
        } catch (TimeoutException e) {
            LOG.warning("a comm request took longer than " + timeoutMillis + " ms; left running");
            return error("the kernel took longer than " + timeoutMillis / 1000 + " s on this request; it keeps "
                    + "running (interrupt the kernel to stop it)", seq);
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "a comm request failed", e.getCause());
            return error("the kernel failed on this request: " + e.getCause(), seq);
        } catch (java.util.concurrent.CancellationException e) {
            return error("interrupted", seq);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error("interrupted", seq);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a comm answer was not JSON", e);
            return error("the kernel answered with something that is not JSON", seq);
        }
    }

    private void handleClose(ShellReplyEnvironment env, Message<CommCloseCommand> msg) {
        env.setBusyDeferIdle();
        Open open = comms.remove(msg.getContent().getCommID());
        if (open != null) {
            try {
                open.endpoint().onClose();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing a comm failed", e);
            }
        }
    }

    private void handleInfo(ShellReplyEnvironment env, Message<CommInfoRequest> msg) {
        env.setBusyDeferIdle();
        String only = msg.getContent() == null ? null : msg.getContent().getTargetName();
        Map<String, CommInfoReply.CommInfo> out = new LinkedHashMap<>();
        comms.forEach((id, open) -> {
            if (only == null || only.equals(open.target())) {
                out.put(id, new CommInfoReply.CommInfo(open.target()));
            }
        });
        env.reply(new CommInfoReply(out));
    }

    private static JsonElement seqOf(JsonObject data) {
        return data.get("seq");
    }

    static JsonObject error(String message) {
        return error(message, null);
    }

    static JsonObject error(String message, JsonElement seq) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "error");
        if (seq != null) {
            o.add("seq", seq);
        }
        o.addProperty("message", message);
        return o;
    }

    /** The {@value Painter#COMM_TARGET} target: {@code {"painter": id}} on open, then {@link Painter#receive}. */
    static Target painters() {
        return (commId, data) -> {
            JsonElement pid = data.get("painter");
            Painter p = pid != null && pid.isJsonPrimitive() ? Painter.byId(pid.getAsString()) : null;
            if (p == null) {
                throw new Refused("this painter is not in the running kernel (restarted since?): run its cell again"
                        + (Painter.names().isEmpty() ? "" : "; painters now: " + String.join(", ", Painter.names())));
            }
            return new Endpoint() {
                private long shownRevision = p.revision();

                @Override
                public String onMessage(String json) {
                    return p.receive(json);
                }

                @Override
                public void afterReply() {
                    long rev = p.revision();
                    if (rev != shownRevision) {
                        shownRevision = rev;
                        p.refreshDisplays(); // so the saved notebook keeps the latest picture
                    }
                }
            };
        };
    }
}
