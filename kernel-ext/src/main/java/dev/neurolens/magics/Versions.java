package dev.neurolens.magics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Version strings for %neurolens and bug reports. */
public final class Versions {
    private Versions() {
    }

    public static String neurolens() {
        try (InputStream in = Versions.class.getResourceAsStream("/dev/neurolens/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static String djl() {
        String v = ai.djl.engine.Engine.class.getPackage().getImplementationVersion();
        return v != null ? v : ai.djl.engine.Engine.getDjlVersion();
    }

    public static String java() {
        return System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")";
    }
}
