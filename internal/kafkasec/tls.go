package kafkasec

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// tlsConfig builds the client's TLS config from c's PEM files and inline PEMs.
func (c Config) tlsConfig() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	roots, err := c.roots()
	if err != nil {
		return nil, err
	}
	tc.RootCAs = roots
	if c.CertFile != "" || c.CertPEM != "" {
		cert, err := c.clientCert()
		if err != nil {
			return nil, err
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	switch {
	case c.InsecureSkipVerify:
		tc.InsecureSkipVerify = true
	case c.SkipHostnameCheck:
		// Go checks the name together with the chain; turn both off and check the chain
		// alone, as Kafka does without endpoint identification.
		tc.InsecureSkipVerify = true
		tc.VerifyConnection = verifyChain(roots)
	}
	return tc, nil
}

// roots returns the pool of trusted CAs, or nil for the system's.
func (c Config) roots() (*x509.CertPool, error) {
	data, name, typ := []byte(c.CAPEM), "inline CA certificates", StorePEM
	if c.CAFile != "" {
		var err error
		if data, typ, err = readStoreFile(c.CAFile, c.TrustStoreType); err != nil {
			return nil, fmt.Errorf("%w: CA file: %w", ErrConfig, err)
		}
		name = "CA file " + c.CAFile
	}
	if len(data) == 0 {
		return nil, nil
	}
	pool := x509.NewCertPool()
	if typ != StorePEM {
		certs, err := readTrustStore(data, typ, c.TrustStorePassword)
		if err != nil {
			return nil, fmt.Errorf("%w: %s trust store %s: %w", ErrConfig, typ, c.CAFile, err)
		}
		for _, cert := range certs {
			pool.AddCert(cert)
		}
		return pool, nil
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%w: %s: no PEM certificate in it", ErrConfig, name)
	}
	return pool, nil
}

// clientCert loads the client certificate chain and key. A key file may also hold the chain
// and a certificate file the key, as Kafka's single-file PEM keystore does.
func (c Config) clientCert() (tls.Certificate, error) {
	certPEM, keyPEM := []byte(c.CertPEM), []byte(c.KeyPEM.Reveal())
	if c.CertFile != "" {
		data, typ, err := readStoreFile(c.CertFile, c.KeyStoreType)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("%w: client certificate: %w", ErrConfig, err)
		}
		if typ != StorePEM {
			cert, err := readKeyStore(data, typ, c.KeyStorePassword, c.KeyPassword)
			if err != nil {
				return tls.Certificate{}, fmt.Errorf("%w: %s key store %s: %w", ErrConfig, typ, c.CertFile, err)
			}
			return cert, nil
		}
		certPEM = data
	}
	var err error
	if c.KeyFile != "" {
		if keyPEM, err = os.ReadFile(c.KeyFile); err != nil {
			return tls.Certificate{}, fmt.Errorf("%w: client key: %w", ErrConfig, err)
		}
	}
	if len(keyPEM) == 0 {
		keyPEM = certPEM
	}
	if err := plainKey(keyPEM); err != nil {
		return tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// crypto/tls's messages name the PEM block types it missed, never their content.
		return tls.Certificate{}, fmt.Errorf("%w: client certificate and key: %w", ErrConfig, err)
	}
	return cert, nil
}

// plainKey rejects encrypted keys with a way out: Go reads only unencrypted ones.
func plainKey(data []byte) error {
	for len(data) > 0 {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			return nil
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" || b.Headers["Proc-Type"] == "4,ENCRYPTED" {
			return fmt.Errorf("%w: the client key is encrypted; bridge reads unencrypted PEM keys only "+
				"(decrypt it with openssl pkcs8 -topk8 -nocrypt, and keep the file mode 600)", ErrConfig)
		}
	}
	return nil
}

// verifyChain checks the broker's chain against roots (nil: the system's) without checking
// the name the certificate was issued for.
func verifyChain(roots *x509.CertPool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("broker sent no certificate")
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
		for _, ic := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(ic)
		}
		if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
		}
		return nil
	}
}
