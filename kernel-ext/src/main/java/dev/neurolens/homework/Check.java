package dev.neurolens.homework;

/**
 * One graded part of a homework: runs what the student submitted under {@link #name()} (or reports that
 * nothing usable was submitted) and compares it with the library's reference.
 */
public interface Check {

    /** The part's name, as typed after {@code %check}. */
    String name();

    /** One line: what the part asks for. */
    String description();

    /** Grades {@code submission} (what {@link Homework#submit} stored; null when nothing was submitted). */
    CheckResult grade(Object submission);
}
