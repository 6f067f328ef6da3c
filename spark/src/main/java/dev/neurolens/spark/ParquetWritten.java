package dev.neurolens.spark;

import java.util.List;
import java.util.Locale;

/** What a job's workers wrote to Parquet: rows, files, what the rows are, and whether an interrupt stopped it first. */
public record ParquetWritten(long rows, List<String> files, boolean interrupted, String description) {
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d rows of %s in %d Parquet files%s", rows, description, files.size(),
                interrupted ? " (interrupted: the rest were not written)" : "");
    }
}
