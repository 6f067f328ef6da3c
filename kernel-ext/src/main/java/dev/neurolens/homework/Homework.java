package dev.neurolens.homework;

import dev.neurolens.display.Displayable;
import dev.neurolens.display.MimeBundle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Homework grading. A homework registers its {@link Check}s by part name; a student hands in each part with
 * {@code Homework.submit("saliency", mySaliency)} (usually through a typed helper such as
 * {@link SaliencyHomework#saliency}); {@code %check saliency} (or {@code Homework.check("saliency")}) grades it.
 * Magics cannot see notebook variables by name, so submissions go through this registry; it lives in the
 * notebook's JVM, like the student's code.
 */
public final class Homework {
    private static final Map<String, Check> CHECKS = new LinkedHashMap<>();
    private static final Map<String, Object> SUBMISSIONS = new LinkedHashMap<>();

    private Homework() {
    }

    private static final Map<String, String> HOMEWORK_OF = new LinkedHashMap<>();
    private static final java.util.Set<String> OPENED = new java.util.LinkedHashSet<>();

    /** Adds (or replaces) a check; homeworks call this once, e.g. from {@code Neurolens.install()}. */
    public static synchronized void register(Check check) {
        CHECKS.put(check.name(), check);
    }

    /** Adds a check that belongs to one homework, so {@code %check} alone grades only the homework in use. */
    public static synchronized void register(String homework, Check check) {
        register(check);
        HOMEWORK_OF.put(check.name(), homework);
    }

    /** Marks a homework as the one being worked on (its notebook's first cell does this). */
    public static synchronized void open(String homework) {
        OPENED.add(homework);
    }

    public static synchronized List<Check> checks() {
        return List.copyOf(CHECKS.values());
    }

    /** Hands in a part: a function of the type the part asks for. Submitting again replaces it. */
    public static synchronized void submit(String part, Object solution) {
        check(part, false);
        SUBMISSIONS.put(part, solution);
    }

    public static synchronized Object submission(String part) {
        return SUBMISSIONS.get(part);
    }

    /** Grades one part. */
    public static CheckResult check(String part) {
        return check(part, true);
    }

    private static CheckResult check(String part, boolean grade) {
        Check c;
        Object submission;
        synchronized (Homework.class) {
            c = CHECKS.get(part);
            submission = SUBMISSIONS.get(part);
        }
        if (c == null) {
            throw new IllegalArgumentException("no check named '" + part + "'; checks: "
                    + String.join(", ", CHECKS.keySet()));
        }
        return grade ? c.grade(submission) : null;
    }

    /**
     * Grades every registered part whose name starts with {@code prefix} ("" for all), limited to the homeworks
     * opened in this session when any is (a student in homework 1 does not see homework 2's parts).
     */
    public static Report checkAll(String prefix) {
        List<CheckResult> results = new ArrayList<>();
        for (Check c : checks()) {
            if (c.name().startsWith(prefix) && inOpenHomework(c)) {
                results.add(c.grade(submission(c.name())));
            }
        }
        return new Report(List.copyOf(results));
    }

    private static synchronized boolean inOpenHomework(Check c) {
        String hw = HOMEWORK_OF.get(c.name());
        return OPENED.isEmpty() || hw == null || OPENED.contains(hw);
    }

    /** Several results shown as one table. */
    public record Report(List<CheckResult> results) implements Displayable {
        @Override
        public MimeBundle mimeBundle() {
            return CheckResult.html(results);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            results.forEach(r -> sb.append(r.line()).append('\n'));
            return sb.toString().strip();
        }
    }
}
