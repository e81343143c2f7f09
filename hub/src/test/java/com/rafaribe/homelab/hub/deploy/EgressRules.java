package com.rafaribe.homelab.hub.deploy;

import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * What a NetworkPolicy's egress rules let out to an address outside the cluster's pods, read as
 * the NetworkPolicy API defines it: a rule admits a packet when one of its ports matches (no
 * ports: every port) and one of its peers does (no peers: every destination); an ipBlock peer
 * matches an address inside its cidr and outside every except. Pod and namespace selectors match
 * pods only, never an address such as the cloud metadata service.
 */
final class EgressRules {
    private EgressRules() {
    }

    static boolean admits(NetworkPolicy policy, String address, String protocol, int port) {
        List<NetworkPolicyEgressRule> rules = policy.getSpec().getEgress();
        return rules != null && rules.stream().anyMatch(rule -> admits(rule, address, protocol, port));
    }

    static boolean admits(NetworkPolicyEgressRule rule, String address, String protocol, int port) {
        boolean portMatches = rule.getPorts() == null || rule.getPorts().isEmpty()
                || rule.getPorts().stream().anyMatch(p -> matches(p, protocol, port));
        boolean peerMatches = rule.getTo() == null || rule.getTo().isEmpty()
                || rule.getTo().stream().anyMatch(peer -> matches(peer, address));
        return portMatches && peerMatches;
    }

    /** Whether some rule lets this address out on some port: any rule whose destinations include it. */
    static boolean admitsOnSomePort(NetworkPolicy policy, String address) {
        return policy.getSpec().getEgress().stream()
                .anyMatch(rule -> rule.getTo() == null || rule.getTo().isEmpty() || rule.getTo().stream().anyMatch(p -> matches(p, address)));
    }

    static boolean matches(NetworkPolicyPort p, String protocol, int port) {
        String its = p.getProtocol() == null ? "TCP" : p.getProtocol();
        if (!its.equals(protocol)) {
            return false;
        }
        if (p.getPort() == null) {
            return true;
        }
        if (p.getPort().getIntVal() == null) {
            return false; // a named port names a container port of the destination pod, not of an address outside
        }
        int from = p.getPort().getIntVal();
        int to = p.getEndPort() == null ? from : p.getEndPort();
        return port >= from && port <= to;
    }

    static boolean matches(NetworkPolicyPeer peer, String address) {
        IPBlock block = peer.getIpBlock();
        if (block == null) {
            return false;
        }
        return inCidr(address, block.getCidr())
                && (block.getExcept() == null || block.getExcept().stream().noneMatch(e -> inCidr(address, e)));
    }

    static boolean inCidr(String address, String cidr) {
        String[] parts = cidr.split("/");
        byte[] net = bytes(parts[0]);
        byte[] addr = bytes(address);
        if (net.length != addr.length) {
            return false;
        }
        int prefix = Integer.parseInt(parts[1]);
        int bits = addr.length * 8;
        BigInteger mask = prefix == 0 ? BigInteger.ZERO
                : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(bits - prefix).shiftLeft(bits - prefix);
        return new BigInteger(1, net).and(mask).equals(new BigInteger(1, addr).and(mask));
    }

    private static byte[] bytes(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress(); // a literal address: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
