using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>The silo's one poll timer (<see cref="PollWheel"/>), on fake time.</summary>
public sealed class PollWheelTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<(Guid Tenant, DateTimeOffset At)> _calls = [];

    [Fact]
    public void Schedule_CallsEachTenantOnceWhenItsTimeComes_InTimeOrder()
    {
        using var wheel = Wheel();
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid();
        wheel.Schedule(a, Start.AddSeconds(30));
        wheel.Schedule(b, Start.AddSeconds(10));
        wheel.Schedule(c, Start.AddSeconds(30));

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(_calls);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([(b, Start.AddSeconds(10))], _calls);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(new HashSet<Guid> { a, c }, _calls.Skip(1).Select(x => x.Tenant).ToHashSet());
        Assert.All(_calls.Skip(1), x => Assert.Equal(Start.AddSeconds(30), x.At));

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(3, _calls.Count);
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Schedule_Again_ReplacesTheBooking_EarlierOrLater()
    {
        using var wheel = Wheel();
        Guid later = Guid.NewGuid(), earlier = Guid.NewGuid();
        wheel.Schedule(later, Start.AddSeconds(5));
        wheel.Schedule(later, Start.AddSeconds(20));
        wheel.Schedule(earlier, Start.AddSeconds(20));
        wheel.Schedule(earlier, Start.AddSeconds(2));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([(earlier, Start.AddSeconds(2))], _calls);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Single(_calls);
        _time.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal([(earlier, Start.AddSeconds(2)), (later, Start.AddSeconds(20))], _calls);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, _calls.Count);
    }

    [Fact]
    public void Cancel_TheTenantIsNeverCalled_OthersStillAre()
    {
        using var wheel = Wheel();
        Guid cancelled = Guid.NewGuid(), kept = Guid.NewGuid();
        wheel.Schedule(cancelled, Start.AddSeconds(1));
        wheel.Schedule(kept, Start.AddSeconds(3));
        wheel.Cancel(cancelled);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal([kept], _calls.Select(x => x.Tenant));
    }

    [Fact]
    public void Schedule_InThePast_IsCalledAtOnce()
    {
        using var wheel = Wheel();
        var tenant = Guid.NewGuid();
        wheel.Schedule(tenant, Start.AddMinutes(-5));

        _time.Advance(TimeSpan.Zero);
        Assert.Equal([tenant], _calls.Select(x => x.Tenant));
    }

    [Fact]
    public void Rebooking_ManyTimes_KeepsOneBookingPerTenant_AndCallsStayRight()
    {
        using var wheel = Wheel();
        var tenants = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToArray();
        // Every tenant moves its booking later 100 times: 5,000 stale queue entries, more than the compaction threshold.
        for (var round = 1; round <= 100; round++)
        {
            foreach (var tenant in tenants)
            {
                wheel.Schedule(tenant, Start.AddSeconds(100 + round));
            }

            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(50, wheel.Count);
        _time.Advance(Start.AddSeconds(200) - _time.GetUtcNow() - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_calls);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(tenants.ToHashSet(), _calls.Select(x => x.Tenant).ToHashSet());
        Assert.Equal(50, _calls.Count);
    }

    [Fact]
    public void ACallThatThrows_IsLogged_AndTheOthersAreStillCalled()
    {
        var failing = Guid.NewGuid();
        using var wheel = new PollWheel(
            tenant =>
            {
                if (tenant == failing)
                {
                    throw new InvalidOperationException("silo stopping");
                }

                _calls.Add((tenant, _time.GetUtcNow()));
            },
            _time,
            NullLogger<PollWheel>.Instance);
        var other = Guid.NewGuid();
        wheel.Schedule(failing, Start.AddSeconds(1));
        wheel.Schedule(other, Start.AddSeconds(1));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([other], _calls.Select(x => x.Tenant));
    }

    private PollWheel Wheel() => new(tenant => _calls.Add((tenant, _time.GetUtcNow())), _time, NullLogger<PollWheel>.Instance);
}
