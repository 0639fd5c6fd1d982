//! Typed TIFF tag values: rationals, the decoded value enum and its conversions.

/// An unsigned TIFF RATIONAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct URational {
    /// Numerator.
    pub num: u32,
    /// Denominator (may be 0 in a hostile file: [`URational::to_f64`] then gives `None`).
    pub den: u32,
}

impl URational {
    /// The value, `None` when the denominator is 0.
    pub fn to_f64(self) -> Option<f64> {
        (self.den != 0).then(|| f64::from(self.num) / f64::from(self.den))
    }
}

/// A signed TIFF SRATIONAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SRational {
    /// Numerator.
    pub num: i32,
    /// Denominator (may be 0 in a hostile file).
    pub den: i32,
}

impl SRational {
    /// The value, `None` when the denominator is 0.
    pub fn to_f64(self) -> Option<f64> {
        (self.den != 0).then(|| f64::from(self.num) / f64::from(self.den))
    }
}

/// A decoded tag value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// BYTE or UNDEFINED.
    Bytes(Vec<u8>),
    /// ASCII, cut at the first NUL (invalid UTF-8 replaced).
    Ascii(String),
    /// SHORT.
    Short(Vec<u16>),
    /// LONG or IFD.
    Long(Vec<u32>),
    /// RATIONAL.
    Rational(Vec<URational>),
    /// SBYTE.
    SByte(Vec<i8>),
    /// SSHORT.
    SShort(Vec<i16>),
    /// SLONG.
    SLong(Vec<i32>),
    /// SRATIONAL.
    SRational(Vec<SRational>),
    /// FLOAT.
    Float(Vec<f32>),
    /// DOUBLE.
    Double(Vec<f64>),
}

impl Value {
    /// Unsigned integers (BYTE, SHORT, LONG and non-negative signed values).
    pub fn as_u32s(&self) -> Option<Vec<u32>> {
        match self {
            Self::Bytes(v) => Some(v.iter().map(|&x| u32::from(x)).collect()),
            Self::Short(v) => Some(v.iter().map(|&x| u32::from(x)).collect()),
            Self::Long(v) => Some(v.clone()),
            Self::SByte(v) => v.iter().map(|&x| u32::try_from(x).ok()).collect(),
            Self::SShort(v) => v.iter().map(|&x| u32::try_from(x).ok()).collect(),
            Self::SLong(v) => v.iter().map(|&x| u32::try_from(x).ok()).collect(),
            _ => None,
        }
    }

    /// Every numeric value as a float (`None` for ASCII or a rational with a zero denominator).
    pub fn as_f64s(&self) -> Option<Vec<f64>> {
        match self {
            Self::Ascii(_) => None,
            Self::Rational(v) => v.iter().map(|r| r.to_f64()).collect(),
            Self::SRational(v) => v.iter().map(|r| r.to_f64()).collect(),
            Self::Float(v) => Some(v.iter().map(|&x| f64::from(x)).collect()),
            Self::Double(v) => Some(v.clone()),
            Self::SByte(v) => Some(v.iter().map(|&x| f64::from(x)).collect()),
            Self::SShort(v) => Some(v.iter().map(|&x| f64::from(x)).collect()),
            Self::SLong(v) => Some(v.iter().map(|&x| f64::from(x)).collect()),
            other => other
                .as_u32s()
                .map(|v| v.into_iter().map(f64::from).collect()),
        }
    }

    /// RATIONAL values (integers become `n/1`).
    pub fn as_urationals(&self) -> Option<Vec<URational>> {
        match self {
            Self::Rational(v) => Some(v.clone()),
            other => other
                .as_u32s()
                .map(|v| v.into_iter().map(|num| URational { num, den: 1 }).collect()),
        }
    }

    /// SRATIONAL values (RATIONALs that fit and integers become signed rationals).
    pub fn as_srationals(&self) -> Option<Vec<SRational>> {
        match self {
            Self::SRational(v) => Some(v.clone()),
            Self::Rational(v) => v
                .iter()
                .map(|r| {
                    Some(SRational {
                        num: i32::try_from(r.num).ok()?,
                        den: i32::try_from(r.den).ok()?,
                    })
                })
                .collect(),
            Self::SLong(v) => Some(v.iter().map(|&num| SRational { num, den: 1 }).collect()),
            Self::SShort(v) => Some(
                v.iter()
                    .map(|&n| SRational {
                        num: i32::from(n),
                        den: 1,
                    })
                    .collect(),
            ),
            other => other
                .as_u32s()?
                .into_iter()
                .map(|n| i32::try_from(n).ok().map(|num| SRational { num, den: 1 }))
                .collect(),
        }
    }

    /// The text of an ASCII value (also accepts BYTE/UNDEFINED holding text).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Self::Ascii(s) => Some(s.clone()),
            Self::Bytes(b) => Some(text_until_nul(b)),
            _ => None,
        }
    }

    /// Raw bytes of a BYTE/UNDEFINED value.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

/// `b` up to its first NUL, trailing spaces removed, as UTF-8 (invalid bytes replaced).
pub(crate) fn text_until_nul(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    let s = b.get(..end).unwrap_or_default();
    String::from_utf8_lossy(s).trim_end().to_string()
}

/// Size in bytes of one value of a TIFF field type; `None` for unknown types.
pub(crate) fn type_size(field_type: u16) -> Option<u64> {
    match field_type {
        1 | 2 | 6 | 7 => Some(1),
        3 | 8 => Some(2),
        4 | 9 | 11 | 13 => Some(4),
        5 | 10 | 12 => Some(8),
        _ => None,
    }
}
