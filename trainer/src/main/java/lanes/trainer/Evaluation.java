package lanes.trainer;

/** Mean loss and accuracy of a network over a data set. */
public record Evaluation(double loss, double accuracy, int count) {}
