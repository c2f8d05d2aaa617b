package dev.fieldline.protocol;

import java.util.Arrays;
import java.util.Base64;

/** A SenML value: number ({@code v}), boolean ({@code vb}), string ({@code vs}) or data ({@code vd}). */
public sealed interface Value {

    record Num(double value) implements Value {
        public Num {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("value must be finite, was " + value);
            }
        }
    }

    record Bool(boolean value) implements Value {
    }

    record Text(String value) implements Value {
        public Text {
            if (value == null) {
                throw new IllegalArgumentException("value must not be null");
            }
        }
    }

    /** Opaque bytes; copied on the way in and out. */
    record Data(byte[] value) implements Value {
        public Data {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data d && Arrays.equals(value, d.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Data[" + Base64.getUrlEncoder().withoutPadding().encodeToString(value) + "]";
        }
    }

    static Value of(double v) {
        return new Num(v);
    }

    static Value of(boolean v) {
        return new Bool(v);
    }

    static Value of(String v) {
        return new Text(v);
    }
}
