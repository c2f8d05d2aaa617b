package dev.fieldline.federated;

/** A client's update that the server refuses, with a typed reason. */
public final class UpdateRejected extends Exception {

    /** Why an update was refused; {@link #label()} is what metrics and logs use. */
    public enum Reason {
        /** not the layout's number of values */
        SHAPE("shape"),
        /** a NaN or an infinity */
        NON_FINITE("non_finite"),
        /** L2 norm above the bound */
        NORM("norm"),
        /** example count not in 1..max */
        EXAMPLES("examples"),
        /** larger than the size bound on the wire, or not decodable */
        MALFORMED("malformed");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Reason reason;

    public UpdateRejected(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
