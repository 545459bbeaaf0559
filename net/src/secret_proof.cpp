#include "secret_proof.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace streams::net {

namespace {

std::string hex(const unsigned char* data, std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

} // namespace

std::string make_challenge() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("the system's random generator failed");
  return hex(bytes, sizeof bytes);
}

std::string prove(std::string_view secret, std::string_view role, std::string_view challenge) {
  std::string text;
  text.append(role).append(":").append(challenge);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &n))
    throw std::runtime_error("HMAC-SHA256 failed");
  return hex(mac, n);
}

bool verify(std::string_view secret, std::string_view role, std::string_view challenge,
            std::string_view answer) {
  auto expected = prove(secret, role, challenge);
  return answer.size() == expected.size()
         && CRYPTO_memcmp(answer.data(), expected.data(), expected.size()) == 0;
}

} // namespace streams::net
