package dev.neurolens.display;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Type-keyed renderers: {@code display(x)} and a cell's last expression look up the most specific registered type
 * of x (class first, then superclasses, then interfaces). Registering a type again replaces its renderer.
 */
public final class Renderers {
    private static final Map<Class<?>, Function<Object, MimeBundle>> BY_TYPE = new LinkedHashMap<>();

    private Renderers() {
    }

    @SuppressWarnings("unchecked")
    public static synchronized <T> void register(Class<T> type, Function<? super T, MimeBundle> renderer) {
        BY_TYPE.put(type, o -> ((Function<Object, MimeBundle>) renderer).apply(o));
    }

    public static synchronized boolean canRender(Object value) {
        return value instanceof Displayable || value != null && find(value.getClass()) != null;
    }

    /** The bundle for value, or empty when no renderer handles its type (the kernel then shows toString()). */
    public static Optional<MimeBundle> render(Object value) {
        if (value == null) {
            return Optional.empty();
        }
        Function<Object, MimeBundle> f;
        synchronized (Renderers.class) {
            f = find(value.getClass());
        }
        if (f == null) {
            // Displayables render themselves even before anyone registered a renderer for them.
            return value instanceof Displayable d ? Optional.ofNullable(d.mimeBundle()) : Optional.empty();
        }
        return Optional.ofNullable(f.apply(value));
    }

    public static synchronized List<Class<?>> registeredTypes() {
        return new ArrayList<>(BY_TYPE.keySet());
    }

    private static Function<Object, MimeBundle> find(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            Function<Object, MimeBundle> f = BY_TYPE.get(c);
            if (f != null) {
                return f;
            }
        }
        // Interfaces last, in registration order, so Displayable etc. are found for any implementor.
        for (Map.Entry<Class<?>, Function<Object, MimeBundle>> e : BY_TYPE.entrySet()) {
            if (e.getKey().isInterface() && e.getKey().isAssignableFrom(type)) {
                return e.getValue();
            }
        }
        return null;
    }
}
