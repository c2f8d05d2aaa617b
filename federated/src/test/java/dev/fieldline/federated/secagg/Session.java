package dev.fieldline.federated.secagg;

import dev.fieldline.federated.secagg.SecAggMessage.KeyDirectory;
import dev.fieldline.federated.secagg.SecAggMessage.MaskedInput;
import dev.fieldline.federated.secagg.SecAggMessage.ShareDelivery;
import dev.fieldline.federated.secagg.SecAggMessage.ShareKeys;
import dev.fieldline.federated.secagg.SecAggMessage.UnmaskRequest;
import dev.fieldline.federated.secagg.SecAggMessage.UnmaskResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A session driven step by step, keeping every message the server holds, for tests that look at them. */
final class Session {
    final SecAggParams params;
    final SecAggServer server;
    final List<SecAggClient> clients = new ArrayList<>();
    KeyDirectory directory;
    final Map<Integer, ShareKeys> sent = new LinkedHashMap<>();
    Map<Integer, ShareDelivery> deliveries;
    final Map<Integer, MaskedInput> masked = new LinkedHashMap<>();
    UnmaskRequest request;
    final Map<Integer, UnmaskResponse> responses = new LinkedHashMap<>();

    Session(int n, int t, int length, Quantisation q, SecureRandom random) {
        params = new SecAggParams(77, n, t, length, q);
        server = new SecAggServer(params);
        for (int i = 1; i <= n; i++) {
            clients.add(new SecAggClient(params, i, random));
        }
    }

    SecAggClient client(int index) {
        return clients.get(index - 1);
    }

    Session advertiseAndShare() {
        clients.forEach(c -> server.receive(c.advertise()));
        directory = server.closeAdvertise();
        for (SecAggClient c : clients) {
            ShareKeys s = c.shareKeys(directory);
            sent.put(c.index(), s);
            server.receive(s);
        }
        deliveries = server.closeShareKeys();
        return this;
    }

    /** Clients in {@code senders} send their masked inputs ({@code inputs.get(i - 1)} for client i). */
    Session mask(List<long[]> inputs, List<Integer> senders) {
        for (int i : senders) {
            MaskedInput m = client(i).maskedInput(deliveries.get(i), inputs.get(i - 1));
            masked.put(i, m);
            server.receive(m);
        }
        request = server.closeMaskedInput();
        return this;
    }

    Session unmask(List<Integer> answering) {
        for (int i : answering) {
            UnmaskResponse r = client(i).unmask(request);
            responses.put(i, r);
            server.receive(r);
        }
        return this;
    }
}
