# Allocation-heavy Perl workload for scripts/bench/workloads: build a hash of N keys with string values,
# then sort its keys by value (every comparison reads two hash entries) and join the result.
use strict;
use warnings;
my $n = shift // 1_000_000;
my %h;
$h{ ($_ * 7919) % 10_000_019 } = "v" . ($_ * 31 % 1_000_003) for 1 .. $n;
my @keys = sort { $h{$a} cmp $h{$b} or $a <=> $b } keys %h;
my $joined = join(",", @keys);
print scalar(@keys), " ", length($joined), "\n";
