package dev.neurolens.magics;

/**
 * One magic: {@code %name args} on a line, or {@code %%name args} heading a cell. Each magic declares its
 * arguments once ({@link #schema()}); parsing, {@code --help} and argument errors come from that declaration.
 */
public interface Magic {
    ArgSchema schema();

    default String name() {
        return schema().magic();
    }

    /** True when the magic also takes a cell body ({@code %%name}). */
    default boolean acceptsCell() {
        return false;
    }

    /** True when the magic is only meaningful with a body (then {@code %name} alone is an error). */
    default boolean requiresCell() {
        return false;
    }

    /**
     * Runs the magic. body is null for the line form. The result is shown like a cell's last expression
     * (null shows nothing).
     */
    Object run(Args args, String body) throws Exception;
}
