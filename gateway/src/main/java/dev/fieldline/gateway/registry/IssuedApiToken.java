package dev.fieldline.gateway.registry;

/** A freshly created API token and its value, shown this once. {@link #toString()} hides the value. */
public record IssuedApiToken(ApiToken info, String token) {
    @Override
    public String toString() {
        return "IssuedApiToken[info=" + info + ", token=(hidden)]";
    }
}
