package lanes.serve;

/** The server's endpoints, as the metrics and the JFR events name them. */
enum Route {
    PAGE("page"),
    METRICS("metrics"),
    V1_STATUS("v1_status"),
    V1_METADATA("v1_metadata"),
    V1_PREDICT("v1_predict"),
    V1_IMAGE("v1_image"),
    V2_SERVER("v2_server_metadata"),
    V2_LIVE("v2_health_live"),
    V2_READY("v2_health_ready"),
    V2_MODEL("v2_model_metadata"),
    V2_MODEL_READY("v2_model_ready"),
    V2_INFER("v2_infer"),
    UNKNOWN("unknown");

    /** The label value in /metrics. */
    final String label;

    Route(String label) {
        this.label = label;
    }
}
