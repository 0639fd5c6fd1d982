//! Test-only TIFF writer: any byte order, IFD chains, SubIFDs, raw offsets for hostile files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// One tag: number, field type, count and the value bytes already in the file's byte order.
#[derive(Debug, Clone)]
pub(crate) struct TestEntry {
    pub tag: u16,
    pub typ: u16,
    pub count: u32,
    pub bytes: Vec<u8>,
}

/// A little test TIFF: IFDs laid out one after the other, values after each directory.
#[derive(Debug, Clone)]
pub(crate) struct TestTiff {
    pub big: bool,
    pub ifds: Vec<Vec<TestEntry>>,
}

impl TestTiff {
    pub fn new(big: bool) -> Self {
        Self {
            big,
            ifds: vec![Vec::new()],
        }
    }
    fn u16b(&self, v: u16) -> Vec<u8> {
        if self.big {
            v.to_be_bytes().to_vec()
        } else {
            v.to_le_bytes().to_vec()
        }
    }
    fn u32b(&self, v: u32) -> Vec<u8> {
        if self.big {
            v.to_be_bytes().to_vec()
        } else {
            v.to_le_bytes().to_vec()
        }
    }
    pub fn add(&mut self, ifd: usize, tag: u16, typ: u16, count: u32, bytes: Vec<u8>) {
        while self.ifds.len() <= ifd {
            self.ifds.push(Vec::new());
        }
        self.ifds[ifd].push(TestEntry {
            tag,
            typ,
            count,
            bytes,
        });
    }
    pub fn ascii(&mut self, ifd: usize, tag: u16, s: &str) {
        let mut b = s.as_bytes().to_vec();
        b.push(0);
        self.add(ifd, tag, 2, b.len() as u32, b);
    }
    pub fn shorts(&mut self, ifd: usize, tag: u16, v: &[u16]) {
        let b = v.iter().flat_map(|&x| self.u16b(x)).collect();
        self.add(ifd, tag, 3, v.len() as u32, b);
    }
    pub fn longs(&mut self, ifd: usize, tag: u16, v: &[u32]) {
        let b = v.iter().flat_map(|&x| self.u32b(x)).collect();
        self.add(ifd, tag, 4, v.len() as u32, b);
    }
    pub fn bytes(&mut self, ifd: usize, tag: u16, v: &[u8]) {
        self.add(ifd, tag, 1, v.len() as u32, v.to_vec());
    }
    pub fn rationals(&mut self, ifd: usize, tag: u16, v: &[(u32, u32)]) {
        let b = v
            .iter()
            .flat_map(|&(n, d)| [self.u32b(n), self.u32b(d)].concat())
            .collect();
        self.add(ifd, tag, 5, v.len() as u32, b);
    }
    pub fn srationals(&mut self, ifd: usize, tag: u16, v: &[(i32, i32)]) {
        let b = v
            .iter()
            .flat_map(|&(n, d)| [self.u32b(n as u32), self.u32b(d as u32)].concat())
            .collect();
        self.add(ifd, tag, 10, v.len() as u32, b);
    }

    /// Serialises: header, then each IFD (sorted entries) followed by its values. IFD 0 chains to
    /// nothing; IFDs listed in `chain` follow IFD 0 in the chain; a LONG tag 330 / 34665 whose
    /// value is `[k]` (`k` < number of IFDs) is patched to point at IFD k. Returns the bytes and
    /// every IFD's offset.
    pub fn build(&self, chain: &[usize]) -> (Vec<u8>, Vec<u32>) {
        // First pass: offsets.
        let mut offsets = Vec::new();
        let mut at = 8u32;
        for ifd in &self.ifds {
            offsets.push(at);
            at += 2 + 12 * ifd.len() as u32 + 4;
            for e in ifd {
                if e.bytes.len() > 4 {
                    at += e.bytes.len() as u32 + (e.bytes.len() as u32 & 1);
                }
            }
        }
        let mut out = Vec::new();
        out.extend_from_slice(if self.big { b"MM" } else { b"II" });
        out.extend(self.u16b(42));
        out.extend(self.u32b(8));
        for (i, ifd) in self.ifds.iter().enumerate() {
            let mut entries = ifd.clone();
            entries.sort_by_key(|e| e.tag);
            for e in &mut entries {
                if (e.tag == 330 || e.tag == 34665) && e.typ == 4 {
                    let targets: Vec<u8> = e
                        .bytes
                        .chunks(4)
                        .flat_map(|c| {
                            let k = if self.big {
                                u32::from_be_bytes(c.try_into().unwrap())
                            } else {
                                u32::from_le_bytes(c.try_into().unwrap())
                            } as usize;
                            self.u32b(offsets.get(k).copied().unwrap_or(k as u32))
                        })
                        .collect();
                    e.bytes = targets;
                }
            }
            let next = match chain.iter().position(|&c| c == i) {
                Some(p) => chain.get(p + 1).map_or(0, |&n| offsets[n]),
                None if i == 0 => chain.first().map_or(0, |&n| offsets[n]),
                None => 0,
            };
            assert_eq!(out.len() as u32, offsets[i]);
            out.extend(self.u16b(entries.len() as u16));
            let mut value_at = offsets[i] + 2 + 12 * entries.len() as u32 + 4;
            let mut values = Vec::new();
            for e in &entries {
                out.extend(self.u16b(e.tag));
                out.extend(self.u16b(e.typ));
                out.extend(self.u32b(e.count));
                if e.bytes.len() <= 4 {
                    let mut v = e.bytes.clone();
                    v.resize(4, 0);
                    out.extend(v);
                } else {
                    out.extend(self.u32b(value_at));
                    values.extend(&e.bytes);
                    if e.bytes.len() & 1 == 1 {
                        values.push(0);
                    }
                    value_at += e.bytes.len() as u32 + (e.bytes.len() as u32 & 1);
                }
            }
            out.extend(self.u32b(next));
            out.extend(values);
        }
        (out, offsets)
    }
}
