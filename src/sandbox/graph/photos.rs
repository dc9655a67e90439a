//! Profile photos of users and groups (`profilePhoto`,
//! <https://learn.microsoft.com/graph/api/profilephoto-get>).
//!
//! The generic store keeps an uploaded photo as the media of the owner's `photo` containment
//! (`PUT .../photo/$value`, `Set-MgUserPhotoContent`). What Graph adds, served here: an owner
//! with no photo answers 404 `ImageNotFound` (for the photo and for its `$value`, not the
//! store's "resource not found for the key"), a photo's metadata carry its size in pixels read
//! from the image itself, and `DELETE .../photo` removes it.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::{json, no_content, Ctx, Handled};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::Tenant;
use crate::sandbox::store::{EntityPath, Media};

/// Graph's answer for an owner without a photo.
fn image_not_found() -> GraphErr {
    GraphErr::new(
        StatusCode::NOT_FOUND,
        "ImageNotFound",
        "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
    )
}

/// Serves `GET`/`DELETE` of `{users|groups}/{key}/photo[/$value]` (`s`: the path's segments
/// below the version); `None` for every other request, and for an owner that does not exist
/// (the generic store's 404 names it).
pub fn route(ctx: &Ctx, method: &Method, s: &[&str]) -> Option<Handled> {
    let (set, key, value) = match s {
        [set @ ("users" | "groups"), key, "photo"] => (*set, *key, false),
        [set @ ("users" | "groups"), key, "photo", "$value"] => (*set, *key, true),
        _ => return None,
    };
    if *method != Method::GET && *method != Method::DELETE {
        return None;
    }
    let owner = {
        let t = ctx.state.tenant();
        owner_id(&t, set, key)?
    };
    let path = EntityPath::set_item(set, &owner).child("photo", None);
    if *method == Method::DELETE {
        let mut tenant = ctx.state.tenant_mut();
        let taken = tenant
            .store
            .get_mut(&path, &[])
            .and_then(|photo| photo.media.take());
        return Some(match taken {
            Some(_) => {
                tenant.store.version += 1;
                Ok(no_content())
            }
            None => Err(image_not_found()),
        });
    }
    let t = ctx.state.tenant();
    let Some(media) = t.store.get(&path).and_then(|photo| photo.media.as_ref()) else {
        return Some(Err(image_not_found()));
    };
    if value {
        // The bytes themselves: the generic store's stream response.
        return Some(Ok(super::generic::stream_response(media)));
    }
    let context = ctx.context(&format!("{set}('{owner}')/photo/$entity"));
    Some(Ok(json(StatusCode::OK, &metadata(&context, media))))
}

/// The owner's id: a user by id or user principal name, a group by id.
fn owner_id(t: &Tenant, set: &str, key: &str) -> Option<String> {
    match set {
        "users" => t.user_id(key),
        _ => t.groups.contains_key(key).then(|| key.to_string()),
    }
}

/// A photo's metadata as Graph gives them: `id` "default" (the one photo kept; the sizes of
/// `photos` are not), its media type and etag, and its size in pixels (null when the bytes are
/// not an image this reads).
fn metadata(context: &str, media: &Media) -> Value {
    let (width, height) = match dimensions(&media.bytes) {
        Some((w, h)) => (json!(w), json!(h)),
        None => (Value::Null, Value::Null),
    };
    json!({
        "@odata.context": context,
        "@odata.mediaContentType": media.content_type,
        "@odata.mediaEtag": format!("\"{:08X}\"", fnv1a(&media.bytes)),
        "id": "default",
        "height": height,
        "width": width,
    })
}

/// A short, stable fingerprint of the bytes for the media etag (FNV-1a, 32 bits).
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// `(width, height)` in pixels of a JPEG, PNG, GIF or BMP image, from its header; `None` for
/// anything else or a truncated header. Formats: JPEG start-of-frame segments (ITU T.81
/// B.2.2), the PNG IHDR chunk (RFC 2083 4.1.1), the GIF logical screen descriptor (GIF89a 18),
/// the BMP info header.
pub fn dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| Some(u32::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?])));
    let le16 = |i: usize| Some(u32::from(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?])));
    let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    let le32 = |i: usize| Some(i32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?));
    if b.starts_with(b"\x89PNG\r\n\x1a\n") && b.get(12..16) == Some(b"IHDR") {
        return Some((be32(16)?, be32(20)?));
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some((le16(6)?, le16(8)?));
    }
    if b.starts_with(b"BM") {
        // Height is negative for a top-down bitmap.
        return Some((le32(18)?.unsigned_abs(), le32(22)?.unsigned_abs()));
    }
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    // Segment by segment: each marker's length field skips it, so the walk is linear in the
    // header and ends at the first start-of-frame (or the end of the bytes).
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            // Fill bytes before a marker.
            i += 1;
            continue;
        }
        let length = be16(i + 2)? as usize;
        // SOF0..SOF15, less DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return Some((be16(i + 7)?, be16(i + 5)?));
        }
        if length < 2 {
            return None;
        }
        i += 2 + length;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::dimensions;

    #[test]
    fn reads_the_size_of_each_image_format() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(dimensions(&png), Some((640, 480)));

        let gif = b"GIF89a\x30\x00\x20\x00rest";
        assert_eq!(dimensions(gif), Some((48, 32)));

        let mut bmp = vec![0u8; 26];
        bmp[..2].copy_from_slice(b"BM");
        bmp[18..22].copy_from_slice(&96i32.to_le_bytes());
        bmp[22..26].copy_from_slice(&(-64i32).to_le_bytes());
        assert_eq!(dimensions(&bmp), Some((96, 64)));

        // SOI, an APP0 segment of 16 bytes, then SOF2 (progressive) 8-bit 120 x 240.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpeg.extend_from_slice(&[0u8; 14]);
        jpeg.extend_from_slice(&[0xFF, 0xC2, 0x00, 0x11, 0x08, 0x00, 0xF0, 0x00, 0x78]);
        assert_eq!(dimensions(&jpeg), Some((120, 240)));
    }

    #[test]
    fn anything_else_has_no_size() {
        assert_eq!(dimensions(b""), None);
        assert_eq!(dimensions(b"not an image"), None);
        // Truncated headers, and a JPEG whose segment length would not advance.
        assert_eq!(dimensions(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0"), None);
        assert_eq!(dimensions(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00]), None);
        assert_eq!(
            dimensions(&[0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08]),
            None
        );
    }
}
