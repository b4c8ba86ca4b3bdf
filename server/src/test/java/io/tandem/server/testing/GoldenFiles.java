package io.tandem.server.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files of the storage module's test resources (RDB and AOF files, multi-part AOF
 * directories) as real paths. Under {@code mvn verify} the reactor gives this module storage's
 * packaged test-jar, where a resource is not a file; the files are then read from the source tree,
 * located by the {@code tandem.project.root} property Surefire sets.
 */
public final class GoldenFiles {
    private GoldenFiles() {}

    /** {@code resource} as under storage/src/test/resources, e.g. "rdb/all-types.rdb" or "aof/multipart-rdb". */
    public static Path path(String resource) {
        String root = System.getProperty("tandem.project.root");
        if (root != null) {
            Path p = Path.of(root, "storage", "src", "test", "resources", resource);
            if (Files.exists(p)) return p;
        }
        URL url = GoldenFiles.class.getResource("/" + resource);
        if (url != null && "file".equals(url.getProtocol())) {
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("golden file " + resource + " not found (tandem.project.root=" + root + ")");
    }
}
