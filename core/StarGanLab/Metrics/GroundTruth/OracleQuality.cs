namespace StarGanLab.Metrics.GroundTruth;

/// <summary>The oracle's own errors on held-out renders (validation split, exact ground truth): the floor below which
/// no translation's ground-truth metric can go, in the same units as those metrics.</summary>
/// <param name="DomainAcc">Fraction of renders classified as their domain.</param>
/// <param name="ContentErr">Mean absolute error of x, y, scale, tilt, each normalised to [0, 1] over its range.</param>
/// <param name="StyleErr">Mean absolute error of fur and background RGB (in [0, 1]).</param>
/// <param name="TextureAcc">Fraction of renders whose texture kind (plain, stripes, spots) is recognised.</param>
/// <param name="ContentErrPerFactor">x, y, scale, tilt separately (same units as ContentErr).</param>
/// <param name="Images">How many renders this was measured on.</param>
public sealed record OracleQuality(double DomainAcc, double ContentErr, double StyleErr, double TextureAcc,
    IReadOnlyList<double> ContentErrPerFactor, int Images)
{
    public override string ToString() =>
        $"domain acc {DomainAcc:0.000}, content err {ContentErr:0.0000} (x {ContentErrPerFactor[0]:0.000}, y {ContentErrPerFactor[1]:0.000}, " +
        $"scale {ContentErrPerFactor[2]:0.000}, tilt {ContentErrPerFactor[3]:0.000}), style err {StyleErr:0.0000}, texture acc {TextureAcc:0.000} on {Images} held-out renders";
}
