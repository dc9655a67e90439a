//! The SDK's names for the schemas its OpenAPI document declares inline: an action's parameters
//! (`-BodyParameter <IPaths6Fg5LiGroupsGroupIdMicrosoftGraphAssignlicensePostRequestbody…>`) and
//! an action's or function's primitive or non-entity collection result
//! (`ComponentsMwc6EoResponsesRevokesigninsessionsresponseContentApplicationJsonSchema`).
//!
//! Such a schema has no name of its own, so AutoRest's tree shaker moves it to
//! `components/schemas` under a name built from its JSON pointer (RFC 6901): the pointer's
//! segments, with a hash of the whole pointer inserted after the first (the first four bytes
//! of its MD5, big-endian, in base 36), each lowered, `-` runs made `_`, other non-word runs made
//! `-`, joined with `·`; modelerfour then pascal-cases that, splitting words at non-word
//! characters and after digits. Which pointer a schema has is the OData conversion's choice
//! (OpenAPI.NET.OData `OpenApiRequestBodyGenerator` / `OpenApiResponseGenerator`): an operation
//! whose binding type is the entity type of more than one entity set or singleton (a user's:
//! `users` and `me`) declares its request body and response once under `components`
//! (`{name}RequestBody`, `{name}Response`); any other writes them inline on its path item.
//! Checked against the names in the SDK's published cmdlet reference (tests below).

/// A JSON pointer's reference token, escaped (RFC 6901 §3: `~` → `~0`, `/` → `~1`).
fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The pointer of an inline schema on a path item: `/paths/{path}/{method}/{tail}`, where tail
/// is `requestBody` or `responses/2XX` (the conversion's success range, `UseSuccessStatusCodeRange`).
pub fn path_pointer(path: &str, method: &str, tail: &str) -> String {
    format!(
        "/paths/{}/{}/{tail}/content/application~1json/schema",
        escape_token(path),
        method.to_ascii_lowercase()
    )
}

/// The pointer of a schema declared once under `components` (`requestBodies` or `responses`).
pub fn component_pointer(section: &str, name: &str) -> String {
    format!(
        "/components/{section}/{}/content/application~1json/schema",
        escape_token(name)
    )
}

/// The class name AutoRest gives the schema at `pointer` (without the interface's `I`).
pub fn schema_name(pointer: &str) -> String {
    let mut parts: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let digest = md5(pointer.as_bytes());
    let hash = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    parts.insert(1.min(parts.len()), base36(hash));
    let mut out = String::new();
    let mut last = String::new();
    for part in &parts {
        // The tree shaker lowers each segment and joins them with separators; modelerfour
        // splits them again, so the words are the lowered segment's.
        for word in words(&part.to_lowercase()) {
            // pascalCase drops a word that repeats the one before it.
            if word == last {
                continue;
            }
            last.clone_from(&word);
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        }
    }
    out
}

/// modelerfour's words of an id: split at non-word characters and `_`, and after a digit run
/// that a letter follows (`1ezr0xy` → `1`, `ezr0`, `xy`).
fn words(id: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut word = String::new();
    let mut prev_digit = false;
    for c in id.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_digit = false;
            continue;
        }
        if prev_digit && c.is_ascii_alphabetic() && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        prev_digit = c.is_ascii_digit();
        word.push(c);
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// `n` in base 36, lower-case (JavaScript's `toString(36)`).
fn base36(mut n: u32) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".into();
    }
    let mut out = vec![];
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// MD5 (RFC 1321). Only to reproduce the names above: the crate mirror has no MD5 crate.
pub fn md5(data: &[u8]) -> [u8; 16] {
    // Per-round shift amounts and the sine-derived constants (RFC 1321 §3.4).
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    // floor(2^32 * |sin(i + 1)|), written out so no platform's maths library is involved.
    const K: [u32; 64] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391,
    ];
    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    let mut message = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_le_bytes());
    for block in message.chunks_exact(64) {
        let m: Vec<u32> = block
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let rotated = a
                .wrapping_add(f)
                .wrapping_add(K[i])
                .wrapping_add(m[g])
                .rotate_left(S[i]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(rotated);
        }
        state[0] = state[0].wrapping_add(a);
        state[1] = state[1].wrapping_add(b);
        state[2] = state[2].wrapping_add(c);
        state[3] = state[3].wrapping_add(d);
    }
    let mut out = [0u8; 16];
    for (i, word) in state.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&word.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn md5_gives_the_rfc_1321_test_suite_digests() {
        let cases = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "abcdefghijklmnopqrstuvwxyz",
                "c3fcd3d76192e4007dfb496cca67e13b",
            ),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for (input, digest) in cases {
            assert_eq!(hex(&md5(input.as_bytes())), digest, "md5({input:?})");
        }
        // Lengths around the 64-byte block and its 56-byte padding limit.
        for (n, digest) in [
            (55, "ef1772b6dff9a122358552954ad0df65"),
            (56, "3b0c8ac703f828b04c6c197006d17218"),
            (63, "b06521f39153d618550606be297466d5"),
            (64, "014842d480b571495a4a0363793f7367"),
        ] {
            assert_eq!(hex(&md5("a".repeat(n).as_bytes())), digest, "{n} bytes");
        }
    }

    /// Names from the SDK's cmdlet reference (`-BodyParameter` types and the response type
    /// Microsoft.Entra creates), rebuilt from the path or component they belong to.
    #[test]
    fn names_match_the_sdk_reference() {
        let cases = [
            (
                path_pointer(
                    "/groups/{group-id}/microsoft.graph.assignLicense",
                    "POST",
                    "requestBody",
                ),
                "Paths6Fg5LiGroupsGroupIdMicrosoftGraphAssignlicensePostRequestbodyContentApplicationJsonSchema",
            ),
            (
                path_pointer(
                    "/applications/{application-id}/microsoft.graph.getMemberGroups",
                    "POST",
                    "requestBody",
                ),
                "Paths1Ezr0XyApplicationsApplicationIdMicrosoftGraphGetmembergroupsPostRequestbodyContentApplicationJsonSchema",
            ),
            (
                path_pointer(
                    "/users/{user-id}/mailFolders/{mailFolder-id}/childFolders/{mailFolder-id1}/messages/{message-id}/microsoft.graph.replyAll",
                    "POST",
                    "requestBody",
                ),
                "Paths18Ji3O2UsersUserIdMailfoldersMailfolderIdChildfoldersMailfolderId1MessagesMessageIdMicrosoftGraphReplyallPostRequestbodyContentApplicationJsonSchema",
            ),
            (
                component_pointer("requestBodies", "assignLicenseRequestBody"),
                "Components103UmuuRequestbodiesAssignlicenserequestbodyContentApplicationJsonSchema",
            ),
            (
                component_pointer("responses", "revokeSignInSessionsResponse"),
                "ComponentsMwc6EoResponsesRevokesigninsessionsresponseContentApplicationJsonSchema",
            ),
        ];
        for (pointer, name) in cases {
            assert_eq!(schema_name(&pointer), name, "{pointer}");
        }
    }

    #[test]
    fn words_split_at_separators_and_after_digits() {
        assert_eq!(
            words("/users/{user-id}/microsoft.graph.x"),
            ["users", "user", "id", "microsoft", "graph", "x"]
        );
        assert_eq!(words("1p1mp4r"), ["1", "p1", "mp4", "r"]);
    }
}
