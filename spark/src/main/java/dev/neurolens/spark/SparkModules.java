package dev.neurolens.spark;

import java.util.List;

/**
 * Spark reaches into JDK internals (direct buffers, serialization). From Java 17 on the JVM must open them at
 * start-up ({@code --add-opens}); the Neurolens kernelspec does, a JVM started otherwise gets one clear error here
 * instead of an {@code IllegalAccessError} deep inside Spark.
 */
final class SparkModules {
    /** The options Spark's own launcher passes on Java 17+ (its {@code JavaModuleOptions}). */
    static final List<String> OPENS = List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io",
            "java.net", "java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic",
            "jdk.internal.ref", "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar");

    private SparkModules() {
    }

    /** The JVM options to start a JVM that runs Spark with. */
    static String jvmOptions() {
        StringBuilder s = new StringBuilder();
        for (String p : OPENS) {
            if (!Object.class.getModule().getPackages().contains(p)) {
                continue; // not in this JDK (sun.security.action is gone from JDK 25)
            }
            s.append("--add-opens=java.base/").append(p).append("=ALL-UNNAMED ");
        }
        return s.append("-Dio.netty.tryReflectionSetAccessible=true")
                .toString();
    }

    static void checkOpen() {
        Module base = Object.class.getModule();
        Module us = SparkModules.class.getModule();
        for (String p : OPENS) {
            if (base.getPackages().contains(p) && !base.isOpen(p, us)) {
                throw new IllegalStateException("Spark needs this JVM started with --add-opens=java.base/" + p
                        + "=ALL-UNNAMED (and the others Spark's launcher passes); the Neurolens kernel does so since "
                        + "this version: reinstall its kernelspec (java -jar neurolens.jar install) and restart the "
                        + "kernel, or start this JVM with: " + jvmOptions());
            }
        }
    }
}
