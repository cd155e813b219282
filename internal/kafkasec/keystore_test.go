package kafkasec

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// javaStores holds a trust store and a key store made by the JDK's keytool, as a Connect
// worker's ssl.truststore.location and ssl.keystore.location name them.
type javaStores struct {
	trust, key                string
	storePass, keyPass        string
	typ                       StoreType
	caFile, certFile, keyFile string // the PEM files the stores were made from
}

// keytoolStores imports the PEM CA into a trust store and the PEM client certificate and
// key into a key store of type typ, with keytool (openssl makes the PKCS12 bundle keytool
// imports the key from). A JKS key entry gets a password of its own.
func keytoolStores(t *testing.T, dir string, typ StoreType, caFile, certFile, keyFile string) javaStores {
	t.Helper()
	for _, tool := range []string{"keytool", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: the JDK's keytool makes the stores", tool)
		}
	}
	s := javaStores{typ: typ, storePass: "store-" + strings.ToLower(string(typ)) + "-pw", caFile: caFile, certFile: certFile, keyFile: keyFile}
	s.keyPass = s.storePass
	if typ == StoreJKS {
		s.keyPass = "key-entry-pw"
	}
	ext := map[StoreType]string{StoreJKS: "jks", StorePKCS12: "p12"}[typ]
	s.trust, s.key = filepath.Join(dir, "trust."+ext), filepath.Join(dir, "keystore."+ext)
	bundle := filepath.Join(dir, "bundle-"+ext+".p12")
	run(t, "keytool", "-importcert", "-noprompt", "-alias", "ca", "-file", caFile,
		"-keystore", s.trust, "-storetype", string(typ), "-storepass", s.storePass)
	run(t, "openssl", "pkcs12", "-export", "-in", certFile, "-inkey", keyFile, "-name", "client",
		"-out", bundle, "-passout", "pass:"+s.storePass)
	run(t, "keytool", "-importkeystore", "-noprompt", "-srckeystore", bundle, "-srcstoretype", "PKCS12",
		"-srcstorepass", s.storePass, "-destkeystore", s.key, "-deststoretype", string(typ),
		"-deststorepass", s.storePass, "-destkeypass", s.keyPass)
	return s
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	require.NoError(t, err, "%s %s: %s", name, strings.Join(args, " "), out)
}

// properties is the stores as a Connect worker file names them.
func (s javaStores) properties(typed bool) string {
	var b strings.Builder
	b.WriteString("security.protocol=SSL\n")
	if typed {
		b.WriteString("ssl.truststore.type=" + string(s.typ) + "\nssl.keystore.type=" + string(s.typ) + "\n")
	}
	b.WriteString("ssl.truststore.location=" + s.trust + "\nssl.truststore.password=" + s.storePass + "\n")
	b.WriteString("ssl.keystore.location=" + s.key + "\nssl.keystore.password=" + s.storePass + "\n")
	if s.keyPass != s.storePass {
		b.WriteString("ssl.key.password=" + s.keyPass + "\n")
	}
	return b.String()
}

func pemFiles(t *testing.T, dir string) (ca *testCA, caFile, certFile, keyFile string, client leaf) {
	ca = newTestCA(t, "bridge test CA")
	client = ca.issue(t, "bridge-client", "localhost")
	return ca, writeFile(t, dir, "ca.pem", ca.pem), writeFile(t, dir, "client.pem", client.certPEM),
		writeFile(t, dir, "client.key", client.keyPEM), client
}

// TestStoresMadeByKeytool reads JKS and PKCS12 stores as Kafka's default worker files name
// them, with the type given and with it left to Kafka's default.
func TestStoresMadeByKeytool(t *testing.T) {
	dir := t.TempDir()
	ca, caFile, certFile, keyFile, client := pemFiles(t, dir)
	leafDER, _ := pem.Decode(client.certPEM)
	for _, typ := range []StoreType{StoreJKS, StorePKCS12} {
		stores := keytoolStores(t, t.TempDir(), typ, caFile, certFile, keyFile)
		for _, typed := range []bool{true, false} {
			name := string(typ)
			if !typed {
				name += " without ssl.*.type"
			}
			t.Run(name, func(t *testing.T) {
				c, err := FromProperties(parseProps(t, stores.properties(typed)))
				require.NoError(t, err)
				tc, err := c.tlsConfig()
				require.NoError(t, err)

				leafCert, err := x509.ParseCertificate(leafDER.Bytes)
				require.NoError(t, err)
				_, err = leafCert.Verify(x509.VerifyOptions{Roots: tc.RootCAs, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
				assert.NoError(t, err, "the trust store must trust the CA %s", ca.cert.Subject)
				require.Len(t, tc.Certificates, 1)
				assert.True(t, bytes.Equal(leafDER.Bytes, tc.Certificates[0].Certificate[0]), "client certificate")
				assert.Equal(t, client.tls(t).PrivateKey, tc.Certificates[0].PrivateKey, "client key")
			})
		}
	}
}

// TestStoreWrongPassword: a wrong password fails with the store named and the password
// not shown.
func TestStoreWrongPassword(t *testing.T) {
	dir := t.TempDir()
	_, caFile, certFile, keyFile, _ := pemFiles(t, dir)
	for _, typ := range []StoreType{StoreJKS, StorePKCS12} {
		t.Run(string(typ), func(t *testing.T) {
			stores := keytoolStores(t, t.TempDir(), typ, caFile, certFile, keyFile)
			props := strings.ReplaceAll(stores.properties(true), "password="+stores.storePass, "password=not-"+stores.storePass)
			c, err := FromProperties(parseProps(t, props))
			require.NoError(t, err)
			_, err = c.tlsConfig()
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrConfig)
			assert.ErrorContains(t, err, string(typ)+" trust store "+stores.trust)
			assert.NotContains(t, err.Error(), "not-"+stores.storePass)
		})
	}
}
