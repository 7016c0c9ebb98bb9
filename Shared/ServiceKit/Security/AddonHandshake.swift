import BusMessages

/// The addon handshake's proofs (Addon/README.md, "Wire protocol v2"): each side proves it
/// holds the shared token by an HMAC over both nonces, the addon first. So a program squatting
/// the addon's port learns nothing (the bridge sends no proof to an addon that has not proved
/// itself), and a client without the token is refused before any request.
///
/// - bridge → addon: `hello` with `nonce` CN (64 hex)
/// - addon → bridge: `challenge` with `nonce` SN and `proof` = HMAC(token, "bmcp-addon-proof\n" CN "\n" SN "\n" port)
/// - bridge → addon: `auth` with `proof` = HMAC(token, "bmcp-bridge-proof\n" SN "\n" CN "\n" port)
/// - addon → bridge: the usual `hello` reply
///
/// `port` is the addon's port, as the bridge dialled it and as the connection reached the
/// addon. A user's Blenders share one token, so without it a program squatting one Blender's
/// port could relay the greeting to another's and be greeted there; with it, they disagree.
public enum AddonHandshake {
    public static func nonce() -> String { RandomID.hex(64) }

    public static func isNonce(_ text: String) -> Bool {
        (32...128).contains(text.utf8.count) && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    public static func addonProof(token: String, clientNonce: String, serverNonce: String, port: Int) -> String {
        MessageAuthentication.hmacHex(key: token, message: "bmcp-addon-proof\n\(clientNonce)\n\(serverNonce)\n\(port)")
    }

    public static func bridgeProof(token: String, clientNonce: String, serverNonce: String, port: Int) -> String {
        MessageAuthentication.hmacHex(key: token, message: "bmcp-bridge-proof\n\(serverNonce)\n\(clientNonce)\n\(port)")
    }

    public static func verifyAddonProof(_ proof: String, token: String, clientNonce: String, serverNonce: String, port: Int) -> Bool {
        MessageAuthentication.constantTimeEqual(proof, addonProof(token: token, clientNonce: clientNonce, serverNonce: serverNonce, port: port))
    }
}
