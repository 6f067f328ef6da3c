package dev.neurolens.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the optional shared data folder ({@code ../shared/data} next to the repository, on course machines)
 * without copying it anywhere: env {@code NEUROLENS_DATA}, else {@code ../shared/data} from the working directory
 * (the repository root) or {@code ../../shared/data} (a module directory, where Maven runs tests). Only tests,
 * benchmarks and the magics' extra picture names use it; notebooks and homeworks read {@link Samples}, which ship
 * in the jar, because a clone has no {@code ../shared}.
 */
public final class SharedData {
    private SharedData() {
    }

    public static Optional<Path> dir() {
        String env = System.getenv("NEUROLENS_DATA");
        if (env != null && !env.isBlank() && Files.isDirectory(Path.of(env))) {
            return Optional.of(Path.of(env));
        }
        for (String candidate : new String[] {"../shared/data", "../../shared/data"}) {
            Path p = Path.of(candidate).toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** A sub-folder of the shared folder (e.g. "images"), if both exist. */
    public static Optional<Path> folder(String relative) {
        return dir().map(d -> d.resolve(relative)).filter(Files::isDirectory);
    }

    /** A file of the shared folder, if both exist. */
    public static Optional<Path> file(String relative) {
        return dir().map(d -> d.resolve(relative)).filter(Files::isRegularFile);
    }
}
