package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {

    @TempDir Path dir;

    @Test
    void loadsBothSplitsFromTheFetchLayout() throws IOException {
        IdxBytes.write(dir.resolve("train-images-idx3-ubyte.gz"), IdxBytes.gzip(IdxBytes.images(3, 4, 4)));
        IdxBytes.write(dir.resolve("train-labels-idx1-ubyte.gz"), IdxBytes.gzip(IdxBytes.labels(0, 9, 9)));
        // Uncompressed names are accepted when the .gz is absent.
        IdxBytes.write(dir.resolve("t10k-images-idx3-ubyte"), IdxBytes.images(2, 4, 4));
        IdxBytes.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxBytes.labels(5, 1));

        Dataset train = Dataset.load(dir, "train");
        assertEquals(3, train.count());
        assertEquals(4, train.rows());
        assertEquals(4, train.cols());
        assertEquals(10, train.classes());
        assertEquals(9, train.label(1));
        assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 2}, train.classCounts());

        Dataset test = Dataset.load(dir, "t10k");
        assertEquals(2, test.count());
        assertEquals(5, test.label(0));
    }

    @Test
    void missingFileNamesThePathAndTheFetchTool() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Dataset.load(dir, "train"));
        assertTrue(e.getMessage().contains(dir.resolve("train-images-idx3-ubyte.gz").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("tools/fetch-data"), e.getMessage());
    }

    @Test
    void aDataDirectoryThatIsMissingOrAFileIsNamedAsSuch() throws IOException {
        Path missing = dir.resolve("nowhere");
        NoSuchFileException gone = assertThrows(NoSuchFileException.class, () -> Dataset.load(missing, "train"));
        assertEquals(missing.toString(), gone.getFile());
        assertTrue(gone.getReason().startsWith("no such directory"), gone.getReason());

        Path file = Files.writeString(dir.resolve("afile"), "not a directory");
        NotDirectoryException notDir = assertThrows(NotDirectoryException.class, () -> Dataset.load(file, "train"));
        assertEquals(file.toString(), notDir.getFile());
    }

    @Test
    void aDirectoryWhereAnIdxFileBelongsIsNamedAsSuch() throws IOException {
        Path imagesDir = Files.createDirectory(dir.resolve("train-images-idx3-ubyte.gz"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Dataset.load(dir, "train"));
        assertEquals(imagesDir.toString(), e.getFile());
        assertEquals("is a directory, expected an IDX file", e.getReason());
    }

    @Test
    void unknownSplitIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Dataset.load(dir, "test"));
    }

    @Test
    void countMismatchNamesBothFiles() throws IOException {
        Path img = IdxBytes.write(dir.resolve("img"), IdxBytes.images(3, 2, 2));
        Path lab = IdxBytes.write(dir.resolve("lab"), IdxBytes.labels(1, 2));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Dataset.load(img, lab, 10));
        assertTrue(e.getMessage().contains(img.toString()) && e.getMessage().contains(lab.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("3 images") && e.getMessage().contains("2 labels"), e.getMessage());
    }

    @Test
    void labelOutOfRangeNamesBothFilesAndTheLabel() throws IOException {
        Path img = IdxBytes.write(dir.resolve("img"), IdxBytes.images(3, 2, 2));
        Path lab = IdxBytes.write(dir.resolve("lab"), IdxBytes.labels(1, 10, 2));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Dataset.load(img, lab, 10));
        assertTrue(e.getMessage().contains(img.toString()) && e.getMessage().contains(lab.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("label 1 (byte 9") && e.getMessage().contains("is 10"), e.getMessage());
        assertTrue(e.getMessage().contains("0..9"), e.getMessage());
        // A wider class bound accepts it; labels are unsigned, so 255 needs 256 classes.
        assertEquals(11, Dataset.load(img, lab, 11).classes());
        Path high = IdxBytes.write(dir.resolve("high"), IdxBytes.labels(255, 0, 0));
        assertThrows(IdxFormatException.class, () -> Dataset.load(img, high, 255));
        assertEquals(255, Dataset.load(img, high, 256).label(0));
    }

    @Test
    void inMemoryDatasetHasTheSameChecks() {
        IdxImages images = new IdxImages(new byte[8], 2, 2, 2);
        assertEquals(2, Dataset.of(images, new byte[] {0, 1}, 2).count());
        assertThrows(IllegalArgumentException.class, () -> Dataset.of(images, new byte[] {0}, 2));
        assertThrows(IllegalArgumentException.class, () -> Dataset.of(images, new byte[] {0, 2}, 2));
        assertThrows(IllegalArgumentException.class, () -> Dataset.of(images, new byte[] {0, 0}, 0));
    }

    @Test
    void wrongFileTypeInAFetchDirectoryIsAFormatError() throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), IdxBytes.labels(1, 2));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), IdxBytes.labels(1, 2));
        assertThrows(IdxFormatException.class, () -> Dataset.load(dir, "train"));
    }
}
