package kafkasec

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// StoreType is a key or trust store's format, as Kafka's ssl.keystore.type and
// ssl.truststore.type name it.
type StoreType string

// The store types bridge reads. StoreAuto tells PEM, JKS and PKCS12 apart by the file's
// first bytes, so a worker file that leaves the type at Kafka's default (JKS) and names a
// PEM file works as well as one that names a JKS file.
const (
	StoreAuto   StoreType = ""
	StorePEM    StoreType = "PEM"
	StoreJKS    StoreType = "JKS"
	StorePKCS12 StoreType = "PKCS12"
)

// jksMagic starts every JKS file (Sun's keytool format).
var jksMagic = []byte{0xfe, 0xed, 0xfe, 0xed}

// ParseStoreType accepts PEM, JKS and PKCS12 in any case; "" is StoreAuto.
func ParseStoreType(s string) (StoreType, error) {
	t := StoreType(strings.ToUpper(strings.TrimSpace(s)))
	switch t {
	case StoreAuto, StorePEM, StoreJKS, StorePKCS12:
		return t, nil
	}
	return "", fmt.Errorf("%w: store type %q: want PEM, JKS or PKCS12", ErrConfig, s)
}

// resolve returns the type of a store whose bytes are data: t itself, or for StoreAuto
// the type the bytes show.
func (t StoreType) resolve(data []byte) StoreType {
	switch {
	case t != StoreAuto:
		return t
	case bytes.HasPrefix(data, jksMagic):
		return StoreJKS
	case bytes.Contains(data, []byte("-----BEGIN")):
		return StorePEM
	}
	return StorePKCS12 // DER: PKCS12 is the only binary store besides JKS Kafka reads
}

// readTrustStore returns the certificates trusted by a JKS or PKCS12 store.
func readTrustStore(data []byte, typ StoreType, password Secret) ([]*x509.Certificate, error) {
	if typ == StorePKCS12 {
		// keytool's PKCS12 trust stores mark their entries trusted with a Java attribute,
		// which DecodeTrustStore reads.
		return pkcs12.DecodeTrustStore(data, password.Reveal())
	}
	ks, err := loadJKS(data, password)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for _, alias := range ks.Aliases() {
		if !ks.IsTrustedCertificateEntry(alias) {
			continue
		}
		e, err := ks.GetTrustedCertificateEntry(alias)
		if err != nil {
			return nil, err
		}
		c, err := x509.ParseCertificate(e.Certificate.Content)
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", alias, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no trusted certificate entry in it")
	}
	return certs, nil
}

// readKeyStore returns the client certificate chain and key of a JKS or PKCS12 store.
// A JKS key entry has a password of its own (Kafka's ssl.key.password), which defaults
// to the store's, as keytool's does.
func readKeyStore(data []byte, typ StoreType, storePass, keyPass Secret) (tls.Certificate, error) {
	if typ == StorePKCS12 {
		key, leaf, chain, err := pkcs12.DecodeChain(data, storePass.Reveal())
		if err != nil {
			return tls.Certificate{}, err
		}
		cert := tls.Certificate{PrivateKey: key, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
		for _, c := range chain {
			cert.Certificate = append(cert.Certificate, c.Raw)
		}
		return cert, nil
	}
	ks, err := loadJKS(data, storePass)
	if err != nil {
		return tls.Certificate{}, err
	}
	if keyPass.IsZero() {
		keyPass = storePass
	}
	for _, alias := range ks.Aliases() {
		if ks.IsPrivateKeyEntry(alias) {
			return jksKeyEntry(ks, alias, keyPass)
		}
	}
	return tls.Certificate{}, errors.New("no private key entry in it")
}

func jksKeyEntry(ks jks.KeyStore, alias string, keyPass Secret) (tls.Certificate, error) {
	e, err := ks.GetPrivateKeyEntry(alias, []byte(keyPass.Reveal()))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("key entry %q (check ssl.key.password): %w", alias, err)
	}
	key, err := x509.ParsePKCS8PrivateKey(e.PrivateKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("key entry %q: %w", alias, err)
	}
	cert := tls.Certificate{PrivateKey: key.(crypto.Signer)}
	for _, c := range e.CertificateChain {
		cert.Certificate = append(cert.Certificate, c.Content)
	}
	if len(cert.Certificate) == 0 {
		return tls.Certificate{}, fmt.Errorf("key entry %q has no certificate chain", alias)
	}
	return cert, nil
}

func loadJKS(data []byte, password Secret) (jks.KeyStore, error) {
	// A minimum password length is the store owner's business, not the reader's.
	ks := jks.New(jks.WithMinPasswordLen(0), jks.WithOrderedAliases())
	if err := ks.Load(bytes.NewReader(data), []byte(password.Reveal())); err != nil {
		return ks, fmt.Errorf("%w (check the store's password)", err)
	}
	return ks, nil
}

// readStoreFile reads path for a store of type typ and says which type it is.
func readStoreFile(path string, typ StoreType) ([]byte, StoreType, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	return data, typ.resolve(data), nil
}
