package dev.neurolens.display;

import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a notebook shows for one object: MIME type to payload, in the Jupyter wire format
 * (images as base64 strings, HTML and text as strings). Immutable; {@link #with} returns a copy.
 *
 * <p>Optional per-MIME metadata (Jupyter's display_data {@code metadata}) carries hints such as the width a
 * HiDPI PNG should be shown at: {@code {"image/png": {"width": 600, "height": 400}}}.
 */
public final class MimeBundle {
    public static final String PNG = "image/png";
    public static final String HTML = "text/html";
    public static final String TEXT = "text/plain";

    private final Map<String, Object> data;
    private final Map<String, Map<String, Object>> metadata;

    private MimeBundle(Map<String, Object> data) {
        this(data, Map.of());
    }

    private MimeBundle(Map<String, Object> data, Map<String, Map<String, Object>> metadata) {
        this.data = Collections.unmodifiableMap(data);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    public static MimeBundle of(String mime, Object payload) {
        return new MimeBundle(new LinkedHashMap<>()).with(mime, payload);
    }

    public static MimeBundle png(byte[] png, String altText) {
        return of(PNG, Base64.getEncoder().encodeToString(png)).with(TEXT, altText);
    }

    public static MimeBundle html(String html, String altText) {
        return of(HTML, html).with(TEXT, altText);
    }

    public static MimeBundle text(String text) {
        return of(TEXT, text);
    }

    public MimeBundle with(String mime, Object payload) {
        Map<String, Object> copy = new LinkedHashMap<>(data);
        copy.put(mime, payload);
        return new MimeBundle(copy, metadata);
    }

    /** A copy with metadata key set for one MIME type, e.g. withMetadata(PNG, "width", 600). */
    public MimeBundle withMetadata(String mime, String key, Object value) {
        Map<String, Map<String, Object>> copy = new LinkedHashMap<>(metadata);
        Map<String, Object> forMime = new LinkedHashMap<>(copy.getOrDefault(mime, Map.of()));
        forMime.put(key, value);
        copy.put(mime, Collections.unmodifiableMap(forMime));
        return new MimeBundle(new LinkedHashMap<>(data), copy);
    }

    /** MIME type to metadata, for display_data's metadata field; empty for most bundles. */
    public Map<String, Map<String, Object>> metadata() {
        return metadata;
    }

    public Map<String, Object> data() {
        return data;
    }

    public boolean has(String mime) {
        return data.containsKey(mime);
    }

    public Object get(String mime) {
        return data.get(mime);
    }

    /** The decoded PNG bytes, or null when this bundle has no image. */
    public byte[] pngBytes() {
        Object v = data.get(PNG);
        return v == null ? null : Base64.getDecoder().decode((String) v);
    }

    @Override
    public String toString() {
        return "MimeBundle" + data.keySet();
    }
}
