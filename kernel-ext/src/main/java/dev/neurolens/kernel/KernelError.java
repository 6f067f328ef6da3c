package dev.neurolens.kernel;

import java.util.List;

/**
 * An error the kernel reports for a cell: the Jupyter error name is the class's simple name (so the classes
 * below are named for what a user sees), and the traceback is already cleaned of kernel internals.
 */
abstract class KernelError extends Exception {
    private final List<String> traceback;

    KernelError(String message, List<String> traceback) {
        super(message, null, false, false);
        this.traceback = List.copyOf(traceback);
    }

    List<String> traceback() {
        return traceback;
    }
}

/** javac rejected a snippet; the message points at the cell line. */
final class CompilationException extends KernelError {
    CompilationException(String message, List<String> traceback) {
        super(message, traceback);
    }
}

/** User code threw; the traceback shows the user's frames with cell line numbers. */
final class CellException extends KernelError {
    CellException(String message, List<String> traceback) {
        super(message, traceback);
    }
}

/** The user interrupted the cell; the kernel and every variable defined before survive. */
final class CellInterrupted extends KernelError {
    CellInterrupted(String message, List<String> traceback) {
        super(message, traceback);
    }
}
