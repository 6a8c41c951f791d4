package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

/** A flight recording of training holds one lanes.TrainEpoch per real epoch, and none from the warm-up. */
class TrainEventsTest {

    @Test
    void epochsAreRecordedAndWarmupIsNot() throws Exception {
        Path file = Files.createTempFile("lanes-train", ".jfr");
        try (Recording recording = new Recording(); BatchScheduler s = new BatchScheduler(2)) {
            recording.enable("lanes.TrainEpoch");
            recording.enable("lanes.TrainStep").withThreshold(java.time.Duration.ZERO);
            recording.start();
            Warmup.run(KernelsProvider.get(), s);
            Samples train = TestData.bands(96, 784, 10, 3);
            Network net = Network.builder(784).dense(32, Activation.RELU).dense(10, Activation.SOFTMAX).build(1);
            java.util.List<EpochResult> history = new Trainer(net, new Adam(1e-3f, net.parameterCount()), KernelsProvider.get(), s)
                    .fit(train, null, 2, 32, 1, FitListener.NONE);
            recording.stop();
            recording.dump(file);
            int epochs = 0, steps = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                String name = e.getEventType().getName();
                if (name.equals("lanes.TrainEpoch")) {
                    // The event spans the epoch's training: its duration is the history's seconds, not 0.
                    EpochResult r = history.get(epochs++);
                    assertEquals(r.epoch(), e.getInt("epoch"));
                    double seconds = e.getDuration().toNanos() / 1e9;
                    assertTrue(seconds > 0 && seconds >= r.seconds() * 0.5 - 0.001 && seconds <= r.seconds() * 2 + 0.5,
                            "event " + seconds + " s, history " + r.seconds() + " s");
                }
                if (name.equals("lanes.TrainStep")) steps++;
            }
            assertEquals(2, epochs, "TrainEpoch events: the two real epochs only");
            assertEquals(2 * 3, steps, "TrainStep events (threshold 0): three steps of 32 per epoch");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
