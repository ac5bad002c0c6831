-- Migration 1: the tables and stored queries of the Orleans 10.4.2 ADO.NET providers (clustering, grain persistence,
-- reminders), written to the providers' query contract (../shared/ORLEANS-ADONET-CONTRACT.md). Names are unquoted, so
-- PostgreSQL folds them to lower case, which is what the providers' hard-coded read of orleansquery needs (§1.2).
-- Every statement is idempotent: the migration may be applied again without harm.

CREATE TABLE IF NOT EXISTS orleansquery (
    querykey varchar(64) NOT NULL PRIMARY KEY,
    querytext text NOT NULL
);

-- Clustering (§2, §5.2). Optimistic concurrency lives on the version row only.
CREATE TABLE IF NOT EXISTS orleansmembershipversiontable (
    deploymentid text NOT NULL PRIMARY KEY,
    timestamp timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS orleansmembershiptable (
    deploymentid text NOT NULL REFERENCES orleansmembershipversiontable (deploymentid),
    address text NOT NULL,
    port integer NOT NULL,
    generation integer NOT NULL,
    siloname text NOT NULL,
    hostname text NOT NULL,
    status integer NOT NULL,
    proxyport integer NULL,
    suspecttimes text NULL,
    starttime timestamptz NOT NULL,
    iamalivetime timestamptz NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- Bumps the version from p_version to p_version + 1 and inserts the silo row, all or nothing: 1 when both happened, 0
-- when the version moved on or the row exists (the exception block is a savepoint that undoes the bump).
CREATE OR REPLACE FUNCTION orleans_insert_membership(
    p_deploymentid text, p_address text, p_port integer, p_generation integer, p_siloname text, p_hostname text,
    p_status integer, p_proxyport integer, p_starttime timestamptz, p_iamalivetime timestamptz, p_version integer)
RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        UPDATE orleansmembershipversiontable
           SET version = version + 1, timestamp = now()
         WHERE deploymentid = p_deploymentid AND version = p_version AND version < 2147483647;
        IF NOT FOUND THEN
            RETURN 0;
        END IF;
        INSERT INTO orleansmembershiptable
            (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
        VALUES
            (p_deploymentid, p_address, p_port, p_generation, p_siloname, p_hostname, p_status, p_proxyport, p_starttime, p_iamalivetime);
        RETURN 1;
    EXCEPTION WHEN unique_violation THEN
        RETURN 0;
    END;
END $$;

-- Bumps the version and updates the silo row's status, suspicions and heartbeat, all or nothing (1 or 0).
CREATE OR REPLACE FUNCTION orleans_update_membership(
    p_deploymentid text, p_address text, p_port integer, p_generation integer, p_status integer,
    p_suspecttimes text, p_iamalivetime timestamptz, p_version integer)
RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        UPDATE orleansmembershipversiontable
           SET version = version + 1, timestamp = now()
         WHERE deploymentid = p_deploymentid AND version = p_version AND version < 2147483647;
        IF NOT FOUND THEN
            RETURN 0;
        END IF;
        UPDATE orleansmembershiptable
           SET status = p_status, suspecttimes = p_suspecttimes, iamalivetime = p_iamalivetime
         WHERE deploymentid = p_deploymentid AND address = p_address AND port = p_port AND generation = p_generation;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'assert_failure', MESSAGE = 'no such silo row';
        END IF;
        RETURN 1;
    EXCEPTION WHEN assert_failure THEN
        RETURN 0;
    END;
END $$;

-- Grain persistence (§3, §5.3). Unlike upstream, a unique index over the whole identity makes "insert only if absent"
-- race-free (§3.2); the hashes are bound by the provider but not needed to find a row.
CREATE TABLE IF NOT EXISTS orleansstorage (
    grainidhash integer NOT NULL,
    grainidn0 bigint NOT NULL,
    grainidn1 bigint NOT NULL,
    graintypehash integer NOT NULL,
    graintypestring text NOT NULL,
    grainidextensionstring text NULL,
    serviceid text NOT NULL,
    payloadbinary bytea NULL,
    modifiedon timestamptz NOT NULL DEFAULT now(),
    version integer NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_orleansstorage_identity
    ON orleansstorage (serviceid, graintypestring, grainidn0, grainidn1, (COALESCE(grainidextensionstring, '')));

-- Reminders (§4, §5.4). Period in milliseconds; GrainHash is the signed reinterpretation of the uniform hash.
CREATE TABLE IF NOT EXISTS orleansremindertable (
    serviceid text NOT NULL,
    grainid text NOT NULL,
    remindername text NOT NULL,
    starttime timestamptz NOT NULL,
    period bigint NOT NULL,
    grainhash integer NOT NULL,
    version integer NOT NULL,
    PRIMARY KEY (serviceid, grainid, remindername)
);

CREATE INDEX IF NOT EXISTS ix_orleansremindertable_hash ON orleansremindertable (serviceid, grainhash);

-- The stored queries, by key (key values are case-sensitive; note UpdateIAmAlivetimeKey).
INSERT INTO orleansquery (querykey, querytext) VALUES
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleansmembershipversiontable (deploymentid) VALUES (@DeploymentId)
    ON CONFLICT (deploymentid) DO NOTHING
    RETURNING 1)
SELECT count(*)::integer FROM created;
$q$),
('MembershipReadAllKey', $q$
SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
       m.suspecttimes, m.starttime, m.iamalivetime, v.version
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
 WHERE v.deploymentid = @DeploymentId;
$q$),
('MembershipReadRowKey', $q$
SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
       m.suspecttimes, m.starttime, m.iamalivetime, v.version
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m
    ON m.deploymentid = v.deploymentid AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
 WHERE v.deploymentid = @DeploymentId;
$q$),
('InsertMembershipKey', $q$
SELECT orleans_insert_membership(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
                                 @ProxyPort, @StartTime, @IAmAliveTime, @Version);
$q$),
('UpdateMembershipKey', $q$
SELECT orleans_update_membership(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version);
$q$),
('UpdateIAmAlivetimeKey', $q$
UPDATE orleansmembershiptable
   SET iamalivetime = GREATEST(iamalivetime, @IAmAliveTime)
 WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;
$q$),
('GatewaysQueryKey', $q$
SELECT address, proxyport, generation
  FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0;
$q$),
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId;
DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId;
$q$),
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId AND status = 6 AND iamalivetime < @IAmAliveTime AND starttime < @IAmAliveTime
   AND COALESCE(suspecttimes, '') = '';
$q$),
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
   AND status = 6 AND starttime = @StartTime AND iamalivetime = @IAmAliveTime
   AND COALESCE(suspecttimes, '') = COALESCE(@SuspectTimes, '');
$q$),
('ReadFromStorageKey', $q$
SELECT payloadbinary, version
  FROM orleansstorage
 WHERE serviceid = @ServiceId AND graintypestring = @GrainTypeString
   AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
   AND COALESCE(grainidextensionstring, '') = COALESCE(@GrainIdExtensionString, '');
$q$),
('WriteToStorageKey', $q$
WITH inserted AS (
    INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
                                grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
           @GrainIdExtensionString, @ServiceId, @PayloadBinary, now(), 1
     WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version),
updated AS (
    UPDATE orleansstorage
       SET payloadbinary = @PayloadBinary, modifiedon = now(), version = version + 1
     WHERE @GrainStateVersion IS NOT NULL
       AND serviceid = @ServiceId AND graintypestring = @GrainTypeString
       AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
       AND COALESCE(grainidextensionstring, '') = COALESCE(@GrainIdExtensionString, '')
       AND version = @GrainStateVersion
    RETURNING version)
SELECT version AS newgrainstateversion FROM inserted
UNION ALL
SELECT version FROM updated;
$q$),
('ClearStorageKey', $q$
UPDATE orleansstorage
   SET payloadbinary = NULL, modifiedon = now(), version = version + 1
 WHERE serviceid = @ServiceId AND graintypestring = @GrainTypeString
   AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
   AND COALESCE(grainidextensionstring, '') = COALESCE(@GrainIdExtensionString, '')
   AND version = @GrainStateVersion
RETURNING version;
$q$),
('DeleteStorageKey', $q$
DELETE FROM orleansstorage
 WHERE serviceid = @ServiceId AND graintypestring = @GrainTypeString
   AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
   AND COALESCE(grainidextensionstring, '') = COALESCE(@GrainIdExtensionString, '')
   AND version = @GrainStateVersion
RETURNING version + 1;
$q$),
('ReadReminderRowsKey', $q$
SELECT grainid, remindername, starttime, period, version
  FROM orleansremindertable
 WHERE serviceid = @ServiceId AND grainid = @GrainId;
$q$),
('ReadReminderRowKey', $q$
SELECT grainid, remindername, starttime, period, version
  FROM orleansremindertable
 WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName;
$q$),
('ReadRangeRows1Key', $q$
SELECT grainid, remindername, starttime, period, version
  FROM orleansremindertable
 WHERE serviceid = @ServiceId AND grainhash > @BeginHash AND grainhash <= @EndHash;
$q$),
('ReadRangeRows2Key', $q$
SELECT grainid, remindername, starttime, period, version
  FROM orleansremindertable
 WHERE serviceid = @ServiceId AND (grainhash > @BeginHash OR grainhash <= @EndHash);
$q$),
('UpsertReminderRowKey', $q$
INSERT INTO orleansremindertable (serviceid, grainid, remindername, starttime, period, grainhash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (serviceid, grainid, remindername) DO UPDATE
   SET starttime = EXCLUDED.starttime, period = EXCLUDED.period, grainhash = EXCLUDED.grainhash,
       version = orleansremindertable.version + 1
RETURNING version;
$q$),
('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM orleansremindertable
     WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName AND version = @Version
    RETURNING 1)
SELECT count(*)::integer FROM deleted;
$q$),
('DeleteReminderRowsKey', $q$
DELETE FROM orleansremindertable WHERE serviceid = @ServiceId;
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
