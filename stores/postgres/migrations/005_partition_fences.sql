-- Partition fences (actors/runtime): a host that takes a partition's lease records its epoch
-- here before it reads any actor state, so a stale owner's late snapshot write is refused
-- even for an actor the new owner has not saved yet.
CREATE TABLE IF NOT EXISTS partition_fences (
  partition int PRIMARY KEY,
  epoch bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
