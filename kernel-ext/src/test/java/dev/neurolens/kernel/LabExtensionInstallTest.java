package dev.neurolens.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The prebuilt neurolens-comms extension is copied whole: the entry point its package.json names is there. */
class LabExtensionInstallTest {
    @Test
    void copiesTheExtensionWithTheEntryItsManifestNames(@TempDir Path data) throws Exception {
        KernelSpecInstaller.installLabExtension(data);
        Path ext = data.resolve("labextensions").resolve(KernelSpecInstaller.LAB_EXTENSION);
        String manifest = Files.readString(ext.resolve("package.json"));
        assertTrue(manifest.contains("\"name\": \"neurolens-comms\""), manifest);
        Matcher load = Pattern.compile("\"load\":\\s*\"([^\"]+)\"").matcher(manifest);
        assertTrue(load.find(), "no _build.load in " + manifest);
        Path entry = ext.resolve(load.group(1));
        assertTrue(Files.size(entry) > 1000, entry + " is missing or empty");
        // installing again replaces the folder instead of failing on the files already there
        Files.writeString(ext.resolve("static").resolve("stale.js"), "old");
        KernelSpecInstaller.installLabExtension(data);
        assertTrue(Files.notExists(ext.resolve("static").resolve("stale.js")));
        try (var files = Files.walk(ext)) {
            long n = files.filter(Files::isRegularFile).count();
            String listed;
            try (var in = KernelSpecInstaller.class.getResourceAsStream(
                    "/dev/neurolens/labextension/neurolens-comms/files.txt")) {
                listed = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            assertEquals(listed.strip().split("\n").length, n, "every file files.txt lists, and nothing else");
        }
    }
}
