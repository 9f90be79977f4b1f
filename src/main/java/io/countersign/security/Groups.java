package io.countersign.security;

import java.util.List;
import java.util.Set;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * Camunda group ids that carry meaning in Countersign. An authenticated user holds one Spring Security authority
 * {@code GROUP_<groupId>} per Camunda group, see {@link #authority(String)}.
 */
public final class Groups {

	/** Created by {@code camunda.bpm.admin-user}; holds ALL on every engine resource. */
	public static final String ADMIN = "camunda-admin";

	/** Machines (scanners, SIEM, agent gateways) that report findings and inventory; they never approve. */
	public static final String INTEGRATORS = "integrators";

	public static final String SECOPS_ANALYSTS = "secops-analysts";

	public static final String PLATFORM_OWNERS = "platform-owners";

	public static final String ACCESS_OWNERS = "access-owners";

	public static final String SECURITY_LEADS = "security-leads";

	public static final String AGENT_REVIEWERS = "agent-reviewers";

	/** Service accounts of AI agents: they ask for tool calls and read their own requests, and never approve. */
	public static final String AGENTS = "agents";

	/** Tool servers that report the use of an agent's receipt; they never approve either. */
	public static final String TOOL_SERVERS = "tool-servers";

	/** Read and verify the decision ledger; they never approve. */
	public static final String AUDITORS = "auditors";

	/** Humans who may be candidates of approval tasks. */
	public static final Set<String> APPROVER_GROUPS = Set.of(SECOPS_ANALYSTS, PLATFORM_OWNERS, ACCESS_OWNERS,
			SECURITY_LEADS, AGENT_REVIEWERS);

	public static final String AUTHORITY_PREFIX = "GROUP_";

	private Groups() {
	}

	/** The Spring Security authority that membership in the given Camunda group grants. */
	public static String authority(String groupId) {
		return AUTHORITY_PREFIX + groupId;
	}

	/** The Camunda group ids an authenticated user was given authorities for at login. */
	public static List<String> groupIds(Authentication authentication) {
		return authentication.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.filter(authority -> authority.startsWith(AUTHORITY_PREFIX))
			.map(authority -> authority.substring(AUTHORITY_PREFIX.length()))
			.toList();
	}

}
