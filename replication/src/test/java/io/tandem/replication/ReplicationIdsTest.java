package io.tandem.replication;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationIdsTest {
    @Test
    void idsAreFortyHexCharsAndDistinct() {
        ReplicationIds a = new ReplicationIds();
        ReplicationIds b = new ReplicationIds();
        assertTrue(a.replid().matches("[0-9a-f]{40}"), a.replid());
        assertNotEquals(a.replid(), b.replid());
        assertEquals(ReplicationIds.NO_ID, a.replid2());
        assertEquals(-1, a.secondOffset());
    }

    @Test
    void shiftKeepsThePreviousHistoryValidUpToTheNextByte() {
        ReplicationIds ids = new ReplicationIds();
        ids.advance(1000);
        String old = ids.replid();
        ids.shiftId();
        assertEquals(old, ids.replid2());
        assertEquals(1001, ids.secondOffset(), "as Redis: replid2 is valid for offsets up to offset+1");
        assertNotEquals(old, ids.replid());
        assertEquals(1000, ids.offset(), "the stream continues; only its name changes");
        ids.clearId2();
        assertEquals(ReplicationIds.NO_ID, ids.replid2());
        assertEquals(-1, ids.secondOffset());
    }
}
