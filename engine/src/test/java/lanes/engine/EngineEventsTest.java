package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import lanes.kernels.BatchScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flight recording of the engine holds one lanes.ModelLoad per successful load, naming the source and
 * the network's size, and one lanes.Predict per predict call with its batch size.
 */
class EngineEventsTest {

    @TempDir
    Path dir;

    @Test
    void loadsAndPredictionsAreRecorded() throws Exception {
        // 5 -> 6 -> 3: 5*6 + 6 + 6*3 + 3 = 57 parameters
        Weights weights = TestWeights.model(3, new Metadata("mnist", 1, 0.5, Instant.ofEpochMilli(0)),
                5, Activation.SOFTMAX, 6, 3);
        Path file = dir.resolve("events" + WeightFile.EXTENSION);
        WeightFile.write(file, weights);
        byte[] bytes = Files.readAllBytes(file);
        Path jfr = dir.resolve("engine.jfr");
        try (Recording recording = new Recording(); BatchScheduler s = new BatchScheduler(2)) {
            recording.enable("lanes.ModelLoad");
            recording.enable("lanes.Predict");
            recording.start();
            Model fromFile = Model.load(file);
            Model.load(new ByteArrayInputStream(bytes), "stream-source");
            assertThrows(WeightFileException.class, () -> Model.load(dir.resolve("missing" + WeightFile.EXTENSION)));
            Predictor p = fromFile.newPredictor();
            float[] input = {0f, 0.5f, 1f, 0.25f, 0.75f};
            p.predict(input);
            p.predict(input, new float[3]);
            float[] batch = new float[4 * 5];
            for (int i = 0; i < batch.length; i++) batch[i] = (i % 7) / 7f;
            fromFile.predictBatch(batch, 4, new int[4], null, s);
            recording.stop();
            recording.dump(jfr);
        }
        List<String> loads = new ArrayList<>();
        List<Integer> batchSizes = new ArrayList<>();
        long thread = Thread.currentThread().threadId();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getThread() == null || e.getThread().getJavaThreadId() != thread) continue;
            switch (e.getEventType().getName()) {
                case "lanes.ModelLoad" -> {
                    assertEquals(2, e.getInt("layers"), "layers");
                    assertEquals(57L, e.getLong("parameters"), "parameters");
                    loads.add(e.getString("source"));
                }
                case "lanes.Predict" -> batchSizes.add(e.getInt("batchSize"));
                default -> { }
            }
        }
        assertEquals(List.of(file.toString(), "stream-source"), loads, "one event per successful load, in order");
        assertEquals(List.of(1, 1, 4), batchSizes, "two single-image predictions, then a batch of 4");
    }
}
