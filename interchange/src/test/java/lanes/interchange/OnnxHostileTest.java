package lanes.interchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import lanes.engine.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged and hostile files: refused with an ImportException, never another exception, a hang or a huge allocation. */
class OnnxHostileTest {
    @TempDir
    Path dir;

    @Test
    void everyTruncationIsRefusedWithItsOffset() throws Exception {
        // PyTorch writes opset_import after the graph, so no proper prefix is a whole model.
        byte[] model = Files.readAllBytes(OnnxFixtures.model("cnn"));
        int withOffset = 0;
        for (int n = 0; n < model.length; n += (n < 2048 ? 1 : 97)) {
            byte[] cut = Arrays.copyOf(model, n);
            ImportException e = assertThrows(ImportException.class, () -> OnnxImporter.read(cut, "cut.onnx", "cut.onnx"),
                    "a prefix of " + n + " bytes");
            if (e.problem().contains("at byte ")) withOffset++;
            assertTrue(e.getMessage().startsWith("cut.onnx: "), e.getMessage());
        }
        assertTrue(withOffset > 0);
        ImportException e = assertThrows(ImportException.class,
                () -> OnnxImporter.read(Arrays.copyOf(model, model.length - 3), "cut.onnx", "cut.onnx"));
        assertTrue(e.problem().contains("truncated"), e.problem());
    }

    @Test
    void bitFlipsAreRefusedOrGiveAValidModel() throws Exception {
        // A flipped bit inside a weight is a different valid model (ONNX has no checksum); anything else must be refused.
        byte[] model = Files.readAllBytes(OnnxFixtures.model("same_pool"));
        Random r = new Random(11);
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] flipped = model.clone();
            int bit = r.nextInt(flipped.length * 8);
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            try {
                Weights w = OnnxImporter.read(flipped, "flipped.onnx", "flipped.onnx");
                assertTrue(w.outputSize() > 0);
            } catch (ImportException e) {
                refused++;
                assertTrue(!e.problem().isBlank());
            }
        }
        assertTrue(refused > 100, "only " + refused + " of 3000 flips were refused");
    }

    @Test
    void otherFilesSayWhatTheyLookLike() throws Exception {
        ImportException zip = assertThrows(ImportException.class,
                () -> OnnxImporter.read(new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0}, "m.onnx", "m.onnx"));
        assertTrue(zip.problem().contains("zip"), zip.problem());
        ImportException empty = assertThrows(ImportException.class, () -> OnnxImporter.read(new byte[0], "m.onnx", "m.onnx"));
        assertTrue(empty.problem().contains("empty"), empty.problem());
        ImportException text = assertThrows(ImportException.class,
                () -> OnnxImporter.read("hello, world\n".getBytes(), "m.onnx", "m.onnx"));
        assertTrue(text.problem().startsWith("not an ONNX model"), text.problem());
        ImportException missing = assertThrows(ImportException.class, () -> OnnxImporter.read(dir.resolve("none.onnx")));
        assertEquals("no such file", missing.problem());
    }

    @Test
    void aHugeDeclaredLengthIsRefusedWithoutAllocating() {
        // field 7 (graph), length-delimited, declaring 2^40 bytes
        byte[] b = {0x08, 0x07, 0x3a, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x20};
        ImportException e = assertThrows(ImportException.class, () -> OnnxImporter.read(b, "big.onnx", "big.onnx"));
        assertTrue(e.problem().contains("at byte 3"), e.problem());
    }

    @Test
    void anUnsupportedOpsetSaysWhatToDo() throws Exception {
        byte[] model = Files.readAllBytes(OnnxFixtures.model("gemm_attrs"));
        // gemm_attrs declares opset 9 as its last field: opset_import { domain "" version 9 }
        int at = -1;
        for (int i = model.length - 1; i > 0; i--) if (model[i - 1] == 0x10 && model[i] == 9) { at = i; break; }
        assertTrue(at > 0);
        byte[] seven = model.clone();
        seven[at] = 7;
        ImportException e = assertThrows(ImportException.class, () -> OnnxImporter.read(seven, "old.onnx", "old.onnx"));
        assertTrue(e.problem().contains("opset 7") && e.problem().contains("re-export with opset 13"), e.problem());
    }
}
