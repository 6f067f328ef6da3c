package dev.neurolens.model;

import java.net.URI;

/**
 * One downloadable set of weights: registry name, architecture, official URL and sha256. Torchvision file
 * names carry only the first 8 hex digits of the sha256; where that is all that is known, {@code sha256}
 * is that prefix and only the prefix is checked ({@link #fullHash()} is false).
 */
public record WeightsEntry(String name, String architecture, String url, String sha256) {

    public WeightsEntry {
        if (!sha256.matches("[0-9a-f]{8,64}")) {
            throw new IllegalArgumentException("sha256 must be 8 to 64 lowercase hex digits: " + sha256);
        }
    }

    /** The file name as published (the last path segment of the URL). */
    public String fileName() {
        String path = URI.create(url).getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public boolean fullHash() {
        return sha256.length() == 64;
    }

    public boolean matches(String actualSha256) {
        return actualSha256.startsWith(sha256);
    }
}
