package dev.neurolens.magics;

import java.util.Optional;

/**
 * How a magic reads a variable defined in a notebook cell ({@code --model net}). The kernel installs one with
 * {@link MagicRegistry#readVariablesWith}; without it (a stock IJava kernel) magics take names and files only.
 */
@FunctionalInterface
public interface NotebookVariables {
    /** The variable's current value; empty when no cell defined a variable of that name (or it holds null). */
    Optional<Object> value(String name);
}
