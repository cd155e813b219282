package kafkasec

import (
	"fmt"
	"strings"
)

// The Kafka client properties FromProperties reads.
const (
	PropSecurityProtocol     = "security.protocol"
	PropSASLMechanism        = "sasl.mechanism"
	PropSASLJAASConfig       = "sasl.jaas.config"
	PropTruststoreType       = "ssl.truststore.type"
	PropTruststoreLocation   = "ssl.truststore.location"
	PropTruststoreCerts      = "ssl.truststore.certificates"
	PropTruststorePassword   = "ssl.truststore.password"
	PropKeystoreType         = "ssl.keystore.type"
	PropKeystoreLocation     = "ssl.keystore.location"
	PropKeystoreKey          = "ssl.keystore.key"
	PropKeystoreChain        = "ssl.keystore.certificate.chain"
	PropKeystorePassword     = "ssl.keystore.password"
	PropKeyPassword          = "ssl.key.password"
	PropEndpointIdentication = "ssl.endpoint.identification.algorithm"
)

// props are the keys FromProperties understands; the value says whether it holds a secret.
var props = map[string]bool{
	PropSecurityProtocol: false, PropSASLMechanism: false, PropSASLJAASConfig: true,
	PropTruststoreType: false, PropTruststoreLocation: false, PropTruststoreCerts: false,
	PropTruststorePassword: true, PropKeystoreType: false, PropKeystoreLocation: false,
	PropKeystoreKey: true, PropKeystoreChain: false, PropKeystorePassword: true,
	PropKeyPassword: true, PropEndpointIdentication: false,
}

// ProducerPrefixes are where a Connect worker keeps its source tasks' producer settings,
// strongest first: the connector's producer.override.*, then the worker's producer.*. The
// bare keys, which Connect uses for the worker's own clients, come last.
var ProducerPrefixes = []string{"producer.override.", "producer."}

// IsProperty reports whether FromProperties reads key, bare or under one of prefixes.
func IsProperty(key string, prefixes ...string) bool {
	_, ok := props[stripPrefix(key, prefixes)]
	return ok
}

// HasSecret reports whether p holds a password or private key, bare or under one of
// prefixes: such a file must not be readable by others.
func HasSecret(p map[string]string, prefixes ...string) bool {
	for k, v := range p {
		if props[stripPrefix(k, prefixes)] && strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

func stripPrefix(key string, prefixes []string) string {
	for _, pre := range prefixes {
		if rest, ok := strings.CutPrefix(key, pre); ok {
			return rest
		}
	}
	return key
}

// lookup returns the value of key under the first prefix that has it, else the bare key.
func lookup(p map[string]string, key string, prefixes []string) (string, bool) {
	for _, pre := range prefixes {
		if v, ok := p[pre+key]; ok {
			return strings.TrimSpace(v), true
		}
	}
	v, ok := p[key]
	return strings.TrimSpace(v), ok
}

// FromProperties reads a Kafka client's security settings as Kafka would from the
// properties p, each key looked up under prefixes first (see ProducerPrefixes). Stores
// may be PEM, JKS or PKCS12 files. Errors name keys, never the values of secret ones.
func FromProperties(p map[string]string, prefixes ...string) (Config, error) {
	get := func(key string) string { v, _ := lookup(p, key, prefixes); return v }
	var c Config
	var useSASL bool
	switch proto := strings.ToUpper(get(PropSecurityProtocol)); proto {
	case "", "PLAINTEXT":
	case "SSL":
		c.TLS = true
	case "SASL_PLAINTEXT":
		useSASL = true
	case "SASL_SSL":
		c.TLS, useSASL = true, true
	default:
		return c, fmt.Errorf("%w: %s=%s: want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", ErrConfig, PropSecurityProtocol, proto)
	}
	if useSASL {
		if err := c.saslFromProps(get); err != nil {
			return c, err
		}
	}
	if c.TLS {
		if err := c.tlsFromProps(p, get, prefixes); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (c *Config) saslFromProps(get func(string) string) error {
	mech := get(PropSASLMechanism)
	if mech == "" {
		return fmt.Errorf("%w: %s is not set, and Kafka's default GSSAPI (Kerberos) is not supported: "+
			"set it to PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", ErrConfig, PropSASLMechanism)
	}
	m, err := ParseMechanism(mech)
	if err != nil {
		return fmt.Errorf("%s: %w", PropSASLMechanism, err)
	}
	c.SASL = m
	jaas := get(PropSASLJAASConfig)
	if jaas == "" {
		return fmt.Errorf("%w: SASL needs %s (a login module with username and password)", ErrConfig, PropSASLJAASConfig)
	}
	e, err := parseJAAS(jaas)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrConfig, PropSASLJAASConfig, err)
	}
	if e.module != PlainLoginModule && e.module != ScramLoginModule {
		name := "the login module"
		if javaClass.MatchString(e.module) {
			name = e.module
		}
		return fmt.Errorf("%w: %s: %s is not supported: want %s or %s", ErrConfig, PropSASLJAASConfig,
			name, PlainLoginModule, ScramLoginModule)
	}
	c.Username, c.Password = e.options["username"], NewSecret(e.options["password"])
	if c.Username == "" || c.Password.IsZero() {
		return fmt.Errorf("%w: %s: want username=\"...\" password=\"...\"", ErrConfig, PropSASLJAASConfig)
	}
	return nil
}

func (c *Config) tlsFromProps(p map[string]string, get func(string) string, prefixes []string) error {
	// Kafka checks host names unless the property is set and empty.
	if v, ok := lookup(p, PropEndpointIdentication, prefixes); ok && v == "" {
		c.SkipHostnameCheck = true
	}
	var err error
	if c.TrustStoreType, err = storeType(get(PropTruststoreType), PropTruststoreType); err != nil {
		return err
	}
	if c.KeyStoreType, err = storeType(get(PropKeystoreType), PropKeystoreType); err != nil {
		return err
	}
	c.CAFile, c.CAPEM = get(PropTruststoreLocation), get(PropTruststoreCerts)
	c.TrustStorePassword = NewSecret(get(PropTruststorePassword))
	c.CertFile, c.CertPEM = get(PropKeystoreLocation), get(PropKeystoreChain)
	c.KeyPEM = NewSecret(get(PropKeystoreKey))
	c.KeyStorePassword, c.KeyPassword = NewSecret(get(PropKeystorePassword)), NewSecret(get(PropKeyPassword))
	if !c.KeyPassword.IsZero() && (c.KeyStoreType == StorePEM || c.CertFile == "") {
		return fmt.Errorf("%w: %s is set for a PEM key: bridge reads unencrypted PEM keys only "+
			"(decrypt the key with openssl pkcs8 -topk8 -nocrypt and keep its file mode 600)", ErrConfig, PropKeyPassword)
	}
	if (c.CertPEM == "") != c.KeyPEM.IsZero() {
		return fmt.Errorf("%w: %s and %s go together", ErrConfig, PropKeystoreChain, PropKeystoreKey)
	}
	return nil
}

// storeType reads a store type property. Kafka's default when it is unset is JKS;
// bridge then tells the store's type from its bytes, so PEM files keep working too.
func storeType(v, key string) (StoreType, error) {
	t, err := ParseStoreType(v)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	return t, nil
}
