package dev.neurolens.display;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Records what would have gone to the notebook; can charge each send to a fake clock to simulate render cost. */
final class FakeSink implements DisplaySink {
    record Sent(String kind, MimeBundle bundle, String id) {
        String text() {
            return (String) bundle.get(MimeBundle.TEXT);
        }
    }

    final List<Sent> sent = new ArrayList<>();
    private final AtomicLong clock;
    private final long costNanos;

    FakeSink() {
        this(null, 0);
    }

    FakeSink(AtomicLong clock, long costNanos) {
        this.clock = clock;
        this.costNanos = costNanos;
    }

    @Override
    public void display(MimeBundle bundle, String displayId) {
        charge();
        sent.add(new Sent("display", bundle, displayId));
    }

    @Override
    public void update(MimeBundle bundle, String displayId) {
        charge();
        sent.add(new Sent("update", bundle, displayId));
    }

    private void charge() {
        if (clock != null) {
            clock.addAndGet(costNanos);
        }
    }

    Sent last() {
        return sent.get(sent.size() - 1);
    }
}
