namespace O365Activity.Grains.Normalization;

/// <summary>
/// The top-level fields of an audit record that the normalizer reads (PROTOCOL.md §8); each name is the field's name
/// as the API spells it, matched case-insensitively (see <see cref="RecordFields"/>).
/// </summary>
internal enum RecordField
{
    Id,
    CreationTime,
    RecordType,
    Operation,
    Workload,
    UserId,
    UserKey,
    UserType,
    ClientIP,
    ClientIPAddress,
    ActorIpAddress,
    ExtendedProperties,
    ModifiedProperties,
    Actions,
    ErrorNumber,
    ErrorCode,
    LoginStatus,
    LogonError,
    ApplicationId,
    UserAgent,
    UserAuthenticationMethod,
    RequestType,
    ResultStatusDetail,
    KeepMeSignedIn,
    DeviceProperties,
    Actor,
    Target,
    Parameters,
    ResultStatus,
    ObjectId,
    SiteUrl,
    EventData,
    TargetUserOrGroupName,
    TargetUserOrGroupType,
}
