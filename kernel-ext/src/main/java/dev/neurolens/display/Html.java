package dev.neurolens.display;

import java.util.regex.Pattern;

/** An HTML fragment shown as is, with a tag-stripped text/plain fallback for consoles and nbconvert. */
public final class Html implements Displayable {
    private static final Pattern TAG = Pattern.compile("<[^>]*>");

    private final String html;

    private Html(String html) {
        this.html = html;
    }

    public static Html of(String html) {
        return new Html(html == null ? "" : html);
    }

    public String html() {
        return html;
    }

    /** Text safe to put between tags or in a double-quoted attribute. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The visible text of the fragment, roughly: tags dropped and the common entities decoded. */
    public String plainText() {
        return TAG.matcher(html).replaceAll("").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&nbsp;", " ").replace("&amp;", "&").strip();
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.html(html, plainText());
    }

    @Override
    public String toString() {
        return html;
    }
}
