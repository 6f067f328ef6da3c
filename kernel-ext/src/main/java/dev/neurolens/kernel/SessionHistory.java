package dev.neurolens.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.messages.ContentType;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;

/**
 * This session's cells, answering history requests. JupyterLab asks at start and shows the kernel as "Unknown" until
 * it hears back; the base library would not answer, and its reply form (objects) is not the protocol's
 * ([session, line, input] triples with a status), so the reply is written here.
 */
final class SessionHistory {
    private final List<String> cells = new ArrayList<>();

    synchronized void add(String cell) {
        cells.add(cell);
    }

    void install(JupyterConnection connection) {
        connection.setHandler(MessageType.HISTORY_REQUEST, (env, message) -> {
            env.setBusyDeferIdle();
            HistoryRequest r = message.getContent();
            List<List<Object>> entries;
            if (r instanceof HistoryRequest.Tail t) {
                entries = tail(t.getMaxReturnLength());
            } else if (r instanceof HistoryRequest.Range range) {
                entries = range(range.getStart(), range.getStop());
            } else if (r instanceof HistoryRequest.Search s) {
                entries = search(s.getPattern(), s.getMaxReturnLength());
            } else {
                entries = List.of();
            }
            env.reply(new Reply(entries));
        });
    }

    /** Cells {@code start .. stop-1}, numbered from 1; a stop of 0 or less means to the end. */
    synchronized List<List<Object>> range(int start, int stop) {
        List<List<Object>> out = new ArrayList<>();
        int to = stop <= 0 ? cells.size() : Math.min(cells.size(), stop - 1);
        for (int i = Math.max(1, start); i <= to; i++) {
            out.add(List.of(0, i, cells.get(i - 1)));
        }
        return out;
    }

    synchronized List<List<Object>> tail(int n) {
        return range(Math.max(1, cells.size() - Math.max(0, n) + 1), cells.size() + 1);
    }

    /** Jupyter's glob: * matches any run of characters, ? one; the last {@code n} matches. */
    synchronized List<List<Object>> search(String pattern, int n) {
        Pattern glob = Pattern.compile(("\\Q" + (pattern == null ? "*" : pattern) + "\\E").replace("*", "\\E.*\\Q")
                .replace("?", "\\E.\\Q"), Pattern.DOTALL);
        List<List<Object>> hits = range(1, 0).stream().filter(e -> glob.matcher((String) e.get(2)).matches())
                .toList();
        return hits.subList(Math.max(0, hits.size() - Math.max(1, n)), hits.size());
    }

    /** history_reply content as the protocol has it. */
    static final class Reply implements ContentType<Reply> {
        @SuppressWarnings("unused") // serialized by the protocol library's Gson
        private final String status = "ok";
        @SuppressWarnings("unused")
        private final List<List<Object>> history;

        Reply(List<List<Object>> history) {
            this.history = history;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public MessageType<Reply> getType() {
            return (MessageType) MessageType.HISTORY_REPLY;
        }
    }
}
