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
        // RecordingFile promises no order (events sit in per-thread buffers until flushed): sorted by start time.
        List<java.util.Map.Entry<java.time.Instant, String>> loadEvents = new ArrayList<>();
        List<java.util.Map.Entry<java.time.Instant, Integer>> predictEvents = new ArrayList<>();
        long thread = Thread.currentThread().threadId();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getThread() == null || e.getThread().getJavaThreadId() != thread) continue;
            switch (e.getEventType().getName()) {
                case "lanes.ModelLoad" -> {
                    assertEquals(2, e.getInt("layers"), "layers");
                    assertEquals(57L, e.getLong("parameters"), "parameters");
                    loadEvents.add(java.util.Map.entry(e.getStartTime(), e.getString("source")));
                }
                case "lanes.Predict" -> predictEvents.add(java.util.Map.entry(e.getStartTime(), e.getInt("batchSize")));
                default -> { }
            }
        }
        loadEvents.sort(java.util.Map.Entry.comparingByKey());
        List<String> loads = loadEvents.stream().map(java.util.Map.Entry::getValue).toList();
        assertEquals(List.of(file.toString(), "stream-source"), loads, "one event per successful load, in order");
        predictEvents.sort(java.util.Map.Entry.comparingByKey());
        List<Integer> batchSizes = predictEvents.stream().map(java.util.Map.Entry::getValue).toList();
        assertEquals(List.of(1, 1, 4), batchSizes, "two single-image predictions, then a batch of 4");
    }
}
