import AsyncHTTPClient
import Foundation
import JWTKit
import LineageCore
import LineageEngine
import LineageStore

/// Bearer JWTs from an identity provider (single sign-on), as an alternative to API tokens: the
/// signature is checked against the provider's keys (a JWKS file or URL, jwt-kit), then the issuer, the
/// audience, the expiry and not-before; the role comes from a claim (`--oidc-role-claim`, default
/// `lineage_roles`) holding a role name or a list of them (the most privileged one named counts).
/// The reader is the token's `email`, else its `sub`. Sendable: the keys are held by an actor
/// (`KeySource`) and the settings are constants.
final class OIDCVerifier: Sendable {
    struct Settings: Sendable {
        var issuer: String
        var audience: String
        var jwks: String
        var roleClaim = "lineage_roles"
    }

    /// Who a verified token names, and in which role.
    struct Identity: Sendable {
        let subject: String
        let role: Role
        let session: String
    }

    private let keys: KeySource
    let settings: Settings

    /// Loads the JWKS; one that cannot be read or fetched, or holds no usable key, is refused at start.
    init(_ settings: Settings) async throws {
        self.settings = settings
        keys = try await KeySource(settings.jwks)
    }

    /// A JWT payload: the registered claims lineage checks, and every claim by name (for the role claim).
    struct Claims: JWTPayload {
        var issuer: String?
        var audience: [String]
        var expires: Date?
        var notBefore: Date?
        var subject: String?
        var email: String?
        var id: String?
        var all: [String: ClaimValue]

        enum ClaimValue: Codable, Sendable {
            case text(String)
            case list([String])
            case other

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) { self = .text(text) }
                else if let list = try? container.decode([String].self) { self = .list(list) }
                else { self = .other }
            }

            func encode(to encoder: any Encoder) throws {}

            var strings: [String] {
                switch self {
                case .text(let text): [text]
                case .list(let list): list
                case .other: []
                }
            }
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            func date(_ name: String) throws -> Date? {
                try container.decodeIfPresent(Double.self, forKey: Key(stringValue: name)).map { Date(timeIntervalSince1970: $0) }
            }
            issuer = try? container.decodeIfPresent(String.self, forKey: Key(stringValue: "iss"))
            if let one = try? container.decode(String.self, forKey: Key(stringValue: "aud")) { audience = [one] }
            else { audience = (try? container.decodeIfPresent([String].self, forKey: Key(stringValue: "aud"))) ?? [] }
            expires = try date("exp")
            notBefore = try date("nbf")
            subject = try? container.decodeIfPresent(String.self, forKey: Key(stringValue: "sub"))
            email = try? container.decodeIfPresent(String.self, forKey: Key(stringValue: "email"))
            id = (try? container.decodeIfPresent(String.self, forKey: Key(stringValue: "jti")))
                ?? (try? container.decodeIfPresent(String.self, forKey: Key(stringValue: "sid")))
            var all: [String: ClaimValue] = [:]
            for key in container.allKeys { all[key.stringValue] = try container.decode(ClaimValue.self, forKey: key) }
            self.all = all
        }

        func encode(to encoder: any Encoder) throws {}

        /// jwt-kit calls this after the signature verified; lineage checks the claims itself, after,
        /// to say which one failed.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// The identity of a bearer JWT, or a sentence saying why it is refused (401).
    func identity(for token: String, now: Date = Date()) async throws -> Identity {
        let claims: Claims
        do {
            // Every key of the JWKS is tried: some providers leave kid out of the header.
            claims = try await keys.current.verify(token, as: Claims.self, iteratingKeys: true)
        } catch {
            // The provider may have rotated its keys: a JWKS given by URL is fetched again (at most once a minute).
            guard await keys.refresh(), let again = try? await keys.current.verify(token, as: Claims.self, iteratingKeys: true) else {
                throw Refusal("the JWT's signature does not verify against the identity provider's keys (--oidc-jwks), or it is not a JWT")
            }
            claims = again
        }
        guard claims.issuer == settings.issuer else {
            throw Refusal("the JWT was issued by \(claims.issuer.map { Names.printable($0) } ?? "nobody (no iss)"), not by \(settings.issuer), the issuer this server trusts")
        }
        guard claims.audience.contains(settings.audience) else {
            throw Refusal("the JWT is for \(claims.audience.isEmpty ? "no audience (no aud)" : claims.audience.map { Names.printable($0) }.joined(separator: ", ")), not for \(settings.audience)")
        }
        guard let expires = claims.expires else { throw Refusal("the JWT has no expiry (exp); lineage accepts only tokens that expire") }
        guard expires > now else { throw Refusal("the JWT expired at \(RecordTime.format(milliseconds: Int64(expires.timeIntervalSince1970 * 1000)))") }
        if let notBefore = claims.notBefore, notBefore > now.addingTimeInterval(60) {
            throw Refusal("the JWT is not valid before \(RecordTime.format(milliseconds: Int64(notBefore.timeIntervalSince1970 * 1000)))")
        }
        guard let subject = claims.email ?? claims.subject, !subject.isEmpty else { throw Refusal("the JWT names nobody (no email, no sub)") }
        let named = claims.all[settings.roleClaim]?.strings.compactMap(Role.init(rawValue:)) ?? []
        guard let role = Role.allCases.reversed().first(where: named.contains) else {
            throw Forbidden("the JWT of \(Names.printable(subject)) names no lineage role in its \(settings.roleClaim) claim (one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return Identity(subject: subject, role: role, session: "jwt:" + (claims.id ?? subject))
    }

    /// A token refused for what it is (401).
    struct Refusal: Error { let message: String; init(_ message: String) { self.message = message } }
    /// A valid token that grants no role (403).
    struct Forbidden: Error { let message: String; init(_ message: String) { self.message = message } }
}

/// Where the identity provider's keys come from: a JWKS file, read once, or a JWKS URL (the
/// provider's `jwks_uri`), fetched at start and again when a token's key is not among them, at most
/// once a minute. An actor: the current collection is replaced as a whole.
actor KeySource {
    private(set) var current: JWTKeyCollection
    private var fetched = Date()
    private let location: String

    /// The shortest time between two fetches of a JWKS URL.
    static let refetchInterval: TimeInterval = 60

    init(_ location: String) async throws {
        self.location = location
        current = try await KeySource.load(location)
    }

    /// True if `location` is a URL rather than a file.
    static func isURL(_ location: String) -> Bool { location.hasPrefix("https://") || location.hasPrefix("http://") }

    /// Fetches a JWKS URL again if the last fetch is a minute old; true if the keys changed.
    func refresh() async -> Bool {
        guard KeySource.isURL(location), Date().timeIntervalSince(fetched) >= KeySource.refetchInterval else { return false }
        fetched = Date()
        guard let fresh = try? await KeySource.load(location) else { return false }
        current = fresh
        return true
    }

    private static func load(_ location: String) async throws -> JWTKeyCollection {
        let text: String
        if isURL(location) {
            text = try await fetch(location)
        } else {
            guard let bytes = FileBytes.read(location) else {
                throw LineageError.input("--oidc-jwks \(location) cannot be read; give the identity provider's JWKS as a file or as its https:// URL (jwks_uri)")
            }
            text = String(decoding: bytes, as: UTF8.self)
        }
        let keys = JWTKeyCollection()
        do {
            try await keys.add(jwksJSON: text)
        } catch {
            throw LineageError.input("--oidc-jwks \(location) is not a JWKS lineage can use (\(error)); give the provider's jwks_uri document")
        }
        return keys
    }

    /// The body of a JWKS URL: https, or http on loopback only (a key set fetched in clear could be
    /// replaced on the way); at most 1 MiB, within 10 seconds.
    private static func fetch(_ location: String) async throws -> String {
        guard let url = URL(string: location), let host = url.host else {
            throw LineageError.input("--oidc-jwks \(location) is not a URL lineage can read")
        }
        if url.scheme == "http", !["127.0.0.1", "localhost", "::1"].contains(host) {
            throw LineageError.input("--oidc-jwks \(location) is plain http beyond loopback: the keys could be replaced on the way; use the provider's https:// jwks_uri")
        }
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: location), timeout: .seconds(10))
            guard response.status == .ok else {
                throw LineageError.input("--oidc-jwks \(location) answered \(response.status.code) \(response.status.reasonPhrase); check the URL (the provider's jwks_uri)")
            }
            let body = try await response.body.collect(upTo: 1 << 20)
            return String(buffer: body)
        } catch let error as LineageError {
            throw error
        } catch {
            throw LineageError.input("--oidc-jwks \(location) cannot be fetched (\(error)); check the URL and that the identity provider can be reached")
        }
    }
}
