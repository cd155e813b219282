// Package kafkasec turns Kafka client security settings - bridge's --tls and --sasl-*
// flags, or the properties a Connect worker uses (security.protocol, sasl.mechanism,
// sasl.jaas.config, PEM ssl.truststore.* and ssl.keystore.*) - into franz-go options.
//
// franz-go retries many connection failures forever, so Probe asks the brokers once, at
// startup, whether they accept the settings: a wrong password, an untrusted certificate or
// a plaintext client on a TLS port then stops bridge with a clear message instead of a
// silent retry loop. Secrets are held in Secret, which never prints.
package kafkasec
