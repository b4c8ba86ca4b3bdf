package io.tandem.replication.backlog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks the structure of an LMDB {@code data.mdb} in Java, with positional reads, BEFORE LMDB
 * maps it. LMDB has no page checksums and trusts every byte of its pages: a damaged page makes
 * it dereference garbage inside native code (seen in testing: a leaf node flagged F_DUPDATA in a
 * database without MDB_DUPSORT crashes in {@code mdb_xcursor_init1}), and a file shorter than
 * its meta page says raises SIGBUS. Either kills the JVM instead of throwing, and a server that
 * opens its backlog at startup would crash again on every restart. So this walks what LMDB
 * would walk, the way {@code mdb_chk} does, and refuses anything it would not have written:
 *
 * <ul>
 *   <li>both meta pages: P_META, magic, data version, page size; the file holds every page the
 *       newest one (LMDB's choice: larger txnid) references;
 *   <li>the free-page tree, the main tree and, through it, exactly the sub-databases
 *       {@code expected} names (anything else: not our store): page numbers in range, each page
 *       reached once, page type as expected for its level, node pointers and sizes inside the
 *       page, only the node flags a plain (non-DUPSORT) database uses, overflow runs in range
 *       and of the length the value needs;
 *   <li>free pages: in range, not also in use (else LMDB would hand a live page to a writer);
 *   <li>each tree's page and entry counts as its MDB_db record says.
 * </ul>
 *
 * What this cannot see: wrong bytes inside a value (the store's own CRCs catch those) and key
 * order (a misordered tree yields chunks out of order, which the store's contiguity check
 * refuses).
 *
 * <p>LMDB 0.9's 64-bit on-disk layout, native byte order (little-endian on every platform
 * lmdbjava ships for):
 *
 * <pre>
 *  page header (16): pgno:8 │ pad:2 │ flags:2 │ lower:2 upper:2 (overflow pages: page count:4)
 *                    flags: P_BRANCH 0x01, P_LEAF 0x02, P_OVERFLOW 0x04, P_META 0x08
 *                    node pointers: lower = 16 + 2 × nkeys, each a uint16 offset in the page
 *
 *  meta page: header │ magic:4 (0xBEEFC0DE) │ version:4 (1) │ address:8 │ mapsize:8 │
 *             dbs[0] free tree:48 │ dbs[1] main tree:48 │ last_pg:8 │ txnid:8
 *             at 16                20            24          32          40 (its md_pad = page size)
 *             88                   136           144
 *
 *  MDB_db (48): pad:4 │ flags:2 │ depth:2 │ branch_pages:8 │ leaf_pages:8 │ overflow_pages:8 │
 *               entries:8 │ root:8 (all ones = empty)
 *
 *  node (8 + key + data): lo:2 │ hi:2 │ flags:2 │ ksize:2 │ key │ data
 *        leaf: data size = lo | hi&lt;&lt;16; F_BIGDATA 0x01: data is the first overflow page's
 *              number (8); F_SUBDATA 0x02: data is an MDB_db (main tree only); F_DUPDATA 0x04
 *        branch: child page = lo | hi&lt;&lt;16 | flags&lt;&lt;32
 * </pre>
 */
final class LmdbFileCheck {
    static final int MDB_MAGIC = 0xBEEFC0DE;
    static final int MDB_DATA_VERSION = 1;
    static final int PAGEHDRSZ = 16;
    static final int NODESIZE = 8;
    static final int P_BRANCH = 0x01;
    static final int P_LEAF = 0x02;
    static final int P_OVERFLOW = 0x04;
    static final int P_META = 0x08;
    static final int F_BIGDATA = 0x01;
    static final int F_SUBDATA = 0x02;
    static final int MDB_DB_SIZE = 48;
    /** Database flags a tree of plain keys may carry (MDB_REVERSEKEY and the DUP* flags may not). */
    static final int DB_FLAGS_FORBIDDEN = 0x02 | 0x04 | 0x10 | 0x20 | 0x40;
    static final long P_INVALID = -1L;
    /** LMDB's CURSOR_STACK: no tree is deeper. */
    static final int MAX_DEPTH = 32;
    static final int MAX_KEY = 511;
    private static final int META_END = 152;

    /** What the newest meta page says. */
    record Header(int pageSize, long lastPage, long txnId) {
        long usedBytes() {
            return (lastPage + 1) * pageSize;
        }
    }

    private final Path dir;
    private final String file;
    private final FileChannel ch;
    private final int psize;
    private final long lastPage;
    private final BitSet used;
    private final ByteBuffer page;

    private LmdbFileCheck(Path dir, String file, FileChannel ch, int psize, long lastPage) {
        this.dir = dir;
        this.file = file;
        this.ch = ch;
        this.psize = psize;
        this.lastPage = lastPage;
        this.used = new BitSet((int) Math.min(Integer.MAX_VALUE, lastPage + 1));
        this.page = ByteBuffer.allocate(psize).order(ByteOrder.nativeOrder());
    }

    /**
     * Checks {@code data} (an existing file) as described above.
     *
     * @param expected the names of the sub-databases the main tree must hold, exactly
     * @return the newest meta page
     * @throws BacklogStoreException naming the first thing found wrong
     */
    static Header verify(Path dir, Path data, Set<String> expected) {
        String name = data.getFileName().toString();
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) throw new BacklogStoreException(dir, name + " is empty (the store was never completely created)");
            ByteBuffer m0 = readAt(ch, 0, META_END);
            if (m0 == null) throw new BacklogStoreException(dir, name + " is " + size + " bytes, too short for an LMDB meta page");
            int psize = metaHeader(dir, name, m0, 0);
            ByteBuffer m1 = readAt(ch, psize, META_END);
            if (m1 == null) throw new BacklogStoreException(dir, name + " is " + size + " bytes, too short for LMDB's second meta page");
            metaHeader(dir, name, m1, 1);
            // mdb_env_pick_meta: the larger txnid wins.
            ByteBuffer m = m0.getLong(144) >= m1.getLong(144) ? m0 : m1;
            Header h = new Header(m.getInt(40), m.getLong(136), m.getLong(144));
            if (h.pageSize() != psize) throw new BacklogStoreException(dir, name + "'s meta pages disagree on the page size (" + psize + " vs " + h.pageSize() + ")");
            if (h.lastPage() < 1 || h.lastPage() >= Integer.MAX_VALUE) throw new BacklogStoreException(dir, name + "'s meta page names last page " + h.lastPage());
            if (size < h.usedBytes())
                throw new BacklogStoreException(dir, name + " is truncated: " + size + " bytes, but its LMDB meta page (txn " + h.txnId() + ") uses " + (h.lastPage() + 1) + " pages of " + psize + " bytes (" + h.usedBytes() + " bytes)");
            LmdbFileCheck c = new LmdbFileCheck(dir, name, ch, psize, h.lastPage());
            c.used.set(0, 2);
            c.walkAll(m, expected);
            return h;
        } catch (IOException e) {
            throw new BacklogStoreException(dir, "cannot read " + name + ": " + e, e);
        }
    }

    private static ByteBuffer readAt(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) return null;
        }
        return b.flip();
    }

    /** Validates one meta page header (mdb_env_read_header's checks); returns its page size. */
    private static int metaHeader(Path dir, String file, ByteBuffer m, int which) {
        String name = file + " meta page " + which;
        if ((m.getShort(10) & P_META) == 0 || m.getInt(16) != MDB_MAGIC)
            throw new BacklogStoreException(dir, name + " is not an LMDB meta page (not an LMDB file, or its first pages were overwritten)");
        int version = m.getInt(20);
        if (version != MDB_DATA_VERSION) throw new BacklogStoreException(dir, name + " has LMDB data format version " + version + ", expected " + MDB_DATA_VERSION);
        int psize = m.getInt(40);
        if (psize < 512 || psize > 65536 || Integer.bitCount(psize) != 1) throw new BacklogStoreException(dir, name + " names page size " + psize);
        return psize;
    }

    /** An MDB_db record: where a tree starts and what it claims to hold. */
    private record Db(String name, int flags, int depth, long branch, long leaf, long overflow, long entries, long root) {
        static Db parse(String name, ByteBuffer b, int at) {
            return new Db(name, b.getShort(at + 4) & 0xffff, b.getShort(at + 6) & 0xffff, b.getLong(at + 8), b.getLong(at + 16), b.getLong(at + 24), b.getLong(at + 32), b.getLong(at + 40));
        }
    }

    /** What a walk counted. */
    private static final class Count {
        long branch;
        long leaf;
        long overflow;
        long entries;
    }

    private enum Kind {
        FREE,
        MAIN,
        DATA
    }

    private void walkAll(ByteBuffer meta, Set<String> expected) throws IOException {
        Db free = Db.parse("free-page", meta, 40);
        Db main = Db.parse("main", meta, 88);
        if ((main.flags() & DB_FLAGS_FORBIDDEN) != 0) throw damaged("the main database has flags " + Integer.toHexString(main.flags()));
        // The trees first, the free list after: a page listed as free must not be in use.
        Map<String, Db> subs = new LinkedHashMap<>();
        walkTree(main, Kind.MAIN, subs);
        for (String name : subs.keySet())
            if (!expected.contains(name)) throw new BacklogStoreException(dir, "database '" + name + "' in " + file + ": not a Tandem backlog store");
        for (String name : expected) {
            Db d = subs.get(name);
            if (d == null) throw new BacklogStoreException(dir, "no '" + name + "' database in " + file + ": not a Tandem backlog store (or its creation did not finish)");
            if ((d.flags() & DB_FLAGS_FORBIDDEN) != 0) throw damaged("database '" + name + "' has flags " + Integer.toHexString(d.flags()));
            walkTree(d, Kind.DATA, null);
        }
        walkTree(free, Kind.FREE, null);
    }

    private void walkTree(Db db, Kind kind, Map<String, Db> subs) throws IOException {
        Count n = new Count();
        if (db.root() == P_INVALID) {
            if (db.depth() != 0 || db.entries() != 0) throw damaged("the " + db.name() + " tree has no root but depth " + db.depth() + " and " + db.entries() + " entries");
            return;
        }
        if (db.depth() < 1 || db.depth() > MAX_DEPTH) throw damaged("the " + db.name() + " tree has depth " + db.depth());
        walk(db, kind, db.root(), 1, n, subs);
        if (n.branch != db.branch() || n.leaf != db.leaf() || n.overflow != db.overflow() || n.entries != db.entries())
            throw damaged(String.format("the %s tree holds %d branch, %d leaf, %d overflow pages and %d entries, its record says %d, %d, %d and %d", db.name(), n.branch, n.leaf, n.overflow, n.entries, db.branch(),
                    db.leaf(), db.overflow(), db.entries()));
    }

    private void claim(long pgno, String what) {
        if (pgno < 2 || pgno > lastPage) throw damaged(what + " refers to page " + pgno + ", outside 2.." + lastPage);
        if (used.get((int) pgno)) throw damaged(what + " refers to page " + pgno + ", which is already in use");
        used.set((int) pgno);
    }

    private ByteBuffer read(long pgno) throws IOException {
        page.clear();
        while (page.hasRemaining()) {
            if (ch.read(page, pgno * psize + page.position()) < 0) throw damaged("page " + pgno + " is past the end of the file");
        }
        return page.flip();
    }

    private void walk(Db db, Kind kind, long pgno, int level, Count n, Map<String, Db> subs) throws IOException {
        String where = "the " + db.name() + " tree";
        claim(pgno, where);
        ByteBuffer p = read(pgno);
        if (p.getLong(0) != pgno) throw damaged("page " + pgno + " of " + where + " says it is page " + p.getLong(0));
        int flags = p.getShort(10) & 0xffff;
        boolean leaf = level == db.depth();
        int want = leaf ? P_LEAF : P_BRANCH;
        if ((flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META | 0x20 | 0x40)) != want)
            throw damaged("page " + pgno + " of " + where + " has flags " + Integer.toHexString(flags) + " at level " + level + " of " + db.depth());
        int lower = p.getShort(12) & 0xffff;
        int upper = p.getShort(14) & 0xffff;
        if (lower < PAGEHDRSZ || (lower & 1) != 0 || lower > upper || upper > psize) throw damaged("page " + pgno + " of " + where + " has free space bounds " + lower + ".." + upper);
        int nkeys = (lower - PAGEHDRSZ) >> 1;
        if (!leaf && nkeys < 1) throw damaged("branch page " + pgno + " of " + where + " has no children");
        // Children are read after this page's nodes: the page buffer is reused.
        long[] children = leaf ? null : new long[nkeys];
        for (int i = 0; i < nkeys; i++) {
            int ptr = p.getShort(PAGEHDRSZ + 2 * i) & 0xffff;
            if (ptr < upper || ptr + NODESIZE > psize) throw damaged("node " + i + " of page " + pgno + " (" + where + ") is at " + ptr + ", outside " + upper + ".." + psize);
            int lo = p.getShort(ptr) & 0xffff;
            int hi = p.getShort(ptr + 2) & 0xffff;
            int nflags = p.getShort(ptr + 4) & 0xffff;
            int ksize = p.getShort(ptr + 6) & 0xffff;
            int keyAt = ptr + NODESIZE;
            if (ksize > MAX_KEY || keyAt + ksize > psize) throw damaged("node " + i + " of page " + pgno + " (" + where + ") has a " + ksize + "-byte key running past the page");
            if (!leaf) {
                children[i] = lo | ((long) hi << 16) | ((long) nflags << 32);
                continue;
            }
            n.entries++;
            long dsize = lo | ((long) hi << 16);
            int dataAt = keyAt + ksize;
            int allowed = kind == Kind.MAIN ? F_SUBDATA : F_BIGDATA;
            if ((nflags & ~allowed) != 0) throw damaged("node " + i + " of page " + pgno + " (" + where + ") has flags " + Integer.toHexString(nflags));
            if (kind == Kind.FREE && ksize != 8) throw damaged("free-page record " + i + " of page " + pgno + " has a " + ksize + "-byte key");
            if ((nflags & F_BIGDATA) != 0) {
                if (dataAt + 8 > psize) throw damaged("node " + i + " of page " + pgno + " (" + where + ") runs past the page");
                long first = p.getLong(dataAt);
                long pages = (PAGEHDRSZ - 1 + dsize) / psize + 1; // OVPAGES
                overflow(where, first, pages, dsize, kind == Kind.FREE ? p.getLong(keyAt) : -1);
                n.overflow += pages;
                p = read(pgno); // overflow() reused the buffer
                continue;
            }
            if (dataAt + dsize > psize) throw damaged("node " + i + " of page " + pgno + " (" + where + ") has " + dsize + " bytes of data running past the page");
            if (kind == Kind.MAIN) {
                if ((nflags & F_SUBDATA) == 0 || dsize != MDB_DB_SIZE) throw new BacklogStoreException(dir, "the main database of " + file + " holds plain records: not a Tandem backlog store");
                byte[] k = new byte[ksize];
                p.get(keyAt, k);
                String name = new String(k, StandardCharsets.UTF_8);
                subs.put(name, Db.parse("'" + name + "'", p, dataAt));
            } else if (kind == Kind.FREE) {
                freeList(p, dataAt, dsize, p.getLong(keyAt));
            }
        }
        if (leaf) {
            n.leaf++;
            return;
        }
        n.branch++;
        for (long child : children) walk(db, kind, child, level + 1, n, subs);
    }

    private void overflow(String where, long first, long pages, long dsize, long freeTxn) throws IOException {
        if (first < 2 || first + pages - 1 > lastPage) throw damaged("a " + dsize + "-byte value in " + where + " needs pages " + first + ".." + (first + pages - 1) + ", outside 2.." + lastPage);
        ByteBuffer p = read(first);
        if (p.getLong(0) != first || (p.getShort(10) & P_OVERFLOW) == 0 || (p.getInt(12) & 0xffffffffL) != pages)
            throw damaged("page " + first + " is not the start of a " + pages + "-page overflow run for a value in " + where);
        for (long q = first; q < first + pages; q++) claim(q, where);
        if (freeTxn >= 0) {
            // A large free-page list: read it whole (it is only ever a few pages per MB of data).
            if (dsize > Integer.MAX_VALUE - PAGEHDRSZ) throw damaged("a free-page list of " + dsize + " bytes");
            ByteBuffer all = ByteBuffer.allocate((int) (PAGEHDRSZ + dsize)).order(ByteOrder.nativeOrder());
            while (all.hasRemaining()) {
                if (ch.read(all, first * psize + all.position()) < 0) throw damaged("overflow page " + first + " is past the end of the file");
            }
            freeList(all.flip(), PAGEHDRSZ, dsize, freeTxn);
        }
    }

    /** An IDL: count, then that many page numbers, each free and not in use. */
    private void freeList(ByteBuffer p, int at, long dsize, long txn) {
        if (dsize < 8 || dsize % 8 != 0) throw damaged("the free-page list of txn " + txn + " is " + dsize + " bytes");
        long count = p.getLong(at);
        if (count != dsize / 8 - 1) throw damaged("the free-page list of txn " + txn + " says " + count + " pages in " + dsize + " bytes");
        for (int i = 1; i <= count; i++) claim(p.getLong(at + 8 * i), "the free-page list of txn " + txn);
    }

    private BacklogStoreException damaged(String what) {
        return new BacklogStoreException(dir, file + " is damaged: " + what);
    }
}
